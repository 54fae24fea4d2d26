import { TollgateError } from '../errors.js';
import type { TokenizerBackend } from '../tokenizer/backend.js';
import { ENCODING_NAMES, type EncodingName } from '../tokenizer/encoding-name.js';
import { abortError, whenAborted } from '../tokenizer/abort.js';
import type { NativeBinding, NativeCancelToken, NativeStagedText } from './binding.js';
import { batchParts, nextTurn, STAGE_PART_LENGTH, stageText } from './stage-text.js';

const handleOf = (encoding: EncodingName): number => ENCODING_NAMES.indexOf(encoding);

/** Turns an error from the binding (its message starts with a code) into a `TollgateError`. */
function translate(error: unknown): TollgateError {
  const message = error instanceof Error ? error.message : String(error);
  const invalidToken = /^ERR_INVALID_TOKEN_ID:(\d+):(\d+)/.exec(message);
  if (invalidToken !== null) {
    const [, index, id] = invalidToken;
    return new TollgateError('ERR_INVALID_TOKEN_ID', `Expected \`ids[${index}]\` to be a token id of the encoding, got ${id}.`, {
      field: `ids[${index}]`,
      value: id,
    });
  }
  if (message.startsWith('ERR_ABORTED')) return abortError();
  return new TollgateError('ERR_NATIVE_FAILURE', `The native tokenizer failed: ${message}`, { cause: error });
}

function call<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw translate(error);
  }
}

/** Runs a cancellable native task; an abort rejects at once and tells the task to stop. */
async function cancellable<T>(
  binding: NativeBinding,
  signal: AbortSignal | undefined,
  start: (token: NativeCancelToken) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortError(signal.reason);
  const token = new binding.CancelToken();
  const task = start(token).catch((error: unknown) => {
    throw translate(error);
  });
  if (signal === undefined) return task;
  const { promise: aborted, dispose } = whenAborted(signal, () => token.cancel());
  try {
    return await Promise.race([task, aborted]);
  } finally {
    dispose();
    task.catch(() => undefined);
  }
}
/** A long text staged on the native side, part by part (see {@link stageText}). */
async function staging(binding: NativeBinding, text: string, signal: AbortSignal | undefined): Promise<NativeStagedText> {
  if (signal?.aborted) throw abortError(signal.reason);
  const staged = new binding.StagedText();
  await stageText(staged, text, signal);
  return staged;
}

/** The token count of a text longer than one part, staged first: `[count]`. */
async function countStaged(binding: NativeBinding, encoding: number, text: string, mask: number, signal: AbortSignal | undefined): Promise<Uint32Array> {
  const staged = await staging(binding, text, signal);
  return cancellable(binding, signal, (token) => binding.countStagedAsync(encoding, staged, mask, token));
}

/** The Rust core behind the {@link TokenizerBackend} interface. */
export function createNativeBackend(binding: NativeBinding): TokenizerBackend {
  return {
    name: 'native',
    parallelism: binding.parallelism(),
    warmUp: (encoding) => void call(() => binding.warmUp(handleOf(encoding))),
    count: (encoding, text, mask) => call(() => binding.countTokens(handleOf(encoding), text, mask)),
    countUpTo: (encoding, text, mask, limit) =>
      call(() => binding.countTokensUpTo(handleOf(encoding), text, mask, limit)),
    encode: (encoding, text, mask) => call(() => binding.encode(handleOf(encoding), text, mask)),
    decodeBytes: (encoding, ids) => call(() => binding.decodeBytes(handleOf(encoding), ids)),
    countMany: (encoding, texts, mask) => call(() => binding.countTokensMany(handleOf(encoding), texts, mask)),
    countBatch: (encoding, texts, mask) => call(() => binding.countTokensBatch(handleOf(encoding), texts, mask)),
    countAsync: async (encoding, text, mask, signal) => {
      const counts =
        text.length > STAGE_PART_LENGTH
          ? await countStaged(binding, handleOf(encoding), text, mask, signal)
          : await cancellable(binding, signal, (token) => binding.countTokensAsync(handleOf(encoding), text, mask, token));
      return counts[0]!;
    },
    encodeAsync: async (encoding, text, mask, signal) => {
      if (text.length > STAGE_PART_LENGTH) {
        const staged = await staging(binding, text, signal);
        return cancellable(binding, signal, (token) => binding.encodeStagedAsync(handleOf(encoding), staged, mask, token));
      }
      return cancellable(binding, signal, (token) => binding.encodeAsync(handleOf(encoding), text, mask, token));
    },
    countBatchAsync: (encoding, texts, mask, signal) => countBatchInParts(binding, handleOf(encoding), texts, mask, signal),
  };
}

/**
 * A batch counted off the event loop. A batch of up to one part's length crosses in one call;
 * a longer one crosses a part per event-loop turn (see {@link batchParts}), each part counting
 * on the cores while the next is handed over, a single text longer than a part staged as
 * `countAsync` stages it.
 */
async function countBatchInParts(binding: NativeBinding, encoding: number, texts: readonly string[], mask: number, signal: AbortSignal | undefined): Promise<Uint32Array> {
  const countPart = (part: readonly string[]): Promise<Uint32Array> =>
    part.length === 1 && part[0]!.length > STAGE_PART_LENGTH
      ? countStaged(binding, encoding, part[0]!, mask, signal)
      : cancellable(binding, signal, (token) => binding.countTokensBatchAsync(encoding, part, mask, token));
  const parts = batchParts(texts);
  if (parts.length <= 1) return countPart(texts);
  const counted: Promise<Uint32Array>[] = [];
  for (const [start, end] of parts) {
    if (signal?.aborted) break;
    const part = countPart(texts.slice(start, end));
    // Rejections are read by `Promise.all` below; this keeps a part that fails after an earlier
    // one from surfacing as unhandled.
    part.catch(() => undefined);
    counted.push(part);
    await nextTurn();
  }
  if (signal?.aborted) throw abortError(signal.reason);
  const counts = new Uint32Array(texts.length);
  (await Promise.all(counted)).forEach((values, index) => counts.set(values, parts[index]![0]));
  return counts;
}
