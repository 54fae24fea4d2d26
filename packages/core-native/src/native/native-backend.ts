import { TollgateError } from '../errors.js';
import type { TokenizerBackend } from '../tokenizer/backend.js';
import { ENCODING_NAMES, type EncodingName } from '../tokenizer/encoding-name.js';
import { abortError, whenAborted } from '../tokenizer/abort.js';
import type { NativeBinding, NativeCancelToken, NativeStagedText } from './binding.js';
import { STAGE_PART_LENGTH, stageText } from './stage-text.js';

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
      if (text.length > STAGE_PART_LENGTH) {
        const staged = await staging(binding, text, signal);
        return (await cancellable(binding, signal, (token) => binding.countStagedAsync(handleOf(encoding), staged, mask, token)))[0]!;
      }
      const counts = await cancellable(binding, signal, (token) =>
        binding.countTokensAsync(handleOf(encoding), text, mask, token),
      );
      return counts[0]!;
    },
    encodeAsync: async (encoding, text, mask, signal) => {
      if (text.length > STAGE_PART_LENGTH) {
        const staged = await staging(binding, text, signal);
        return cancellable(binding, signal, (token) => binding.encodeStagedAsync(handleOf(encoding), staged, mask, token));
      }
      return cancellable(binding, signal, (token) => binding.encodeAsync(handleOf(encoding), text, mask, token));
    },
    countBatchAsync: (encoding, texts, mask, signal) =>
      cancellable(binding, signal, (token) => binding.countTokensBatchAsync(handleOf(encoding), texts, mask, token)),
  };
}
