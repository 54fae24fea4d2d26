import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { TollgateError } from '../errors.js';
import { abortError } from '../tokenizer/abort.js';
import type { TokenizerBackend } from '../tokenizer/backend.js';
import type { EncodingName } from '../tokenizer/encoding-name.js';
import { FallbackEncoder, prepareText, type TokenSink } from './encoder.js';

/** Bytes encoded between two yields to the event loop in the async variants (~1–3 ms of work). */
const SLICE_BYTES = 64 * 1024;

const encoders = new Map<EncodingName, FallbackEncoder>();

function encoderFor(encoding: EncodingName): FallbackEncoder {
  let encoder = encoders.get(encoding);
  if (encoder === undefined) {
    encoder = new FallbackEncoder(encoding);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

function countWith(encoding: EncodingName, text: string, mask: number): number {
  let count = 0;
  encoderFor(encoding).run(prepareText(text), 0, Infinity, mask, () => {
    count++;
    return true;
  });
  return count;
}

/** Runs `sink` over `text` in slices, yielding to the event loop between them. */
async function runSliced(encoding: EncodingName, text: string, mask: number, sink: TokenSink, signal?: AbortSignal) {
  const encoder = encoderFor(encoding);
  const input = prepareText(text);
  let position = 0;
  while (position < input.bytes.length) {
    if (signal?.aborted) throw abortError(signal.reason);
    position = encoder.run(input, position, SLICE_BYTES, mask, sink);
    if (position < input.bytes.length) await yieldToEventLoop();
  }
  if (signal?.aborted) throw abortError(signal.reason);
}

/**
 * The pure-TS backend: the same pre-tokenizers and merge rule as the Rust core, over the same
 * bundled data. Async variants run on the event loop in 64 KB slices, so they stay responsive
 * and abortable, but they do not use other cores.
 */
export function createFallbackBackend(): TokenizerBackend {
  const countMany = (encoding: EncodingName, texts: readonly string[], mask: number): Uint32Array =>
    Uint32Array.from(texts, (text) => countWith(encoding, text, mask));

  return {
    name: 'fallback',
    parallelism: 1,
    warmUp: (encoding) => void encoderFor(encoding),
    count: countWith,
    countUpTo: (encoding, text, mask, limit) => {
      let count = 0;
      const reached = encoderFor(encoding).run(prepareText(text), 0, Infinity, mask, () => ++count <= limit);
      return reached < 0 ? -1 : count;
    },
    encode: (encoding, text, mask) => {
      const ids: number[] = [];
      encoderFor(encoding).run(prepareText(text), 0, Infinity, mask, (id) => ids.push(id) > 0);
      return Uint32Array.from(ids);
    },
    decodeBytes: (encoding, ids) => {
      const result = encoderFor(encoding).decodeBytes(ids);
      if (result instanceof Uint8Array) return result;
      const index = result.invalidIndex;
      throw new TollgateError('ERR_INVALID_TOKEN_ID', `Expected \`ids[${index}]\` to be a token id of the encoding, got ${ids[index]}.`, {
        field: `ids[${index}]`,
        value: String(ids[index]),
      });
    },
    countMany,
    countBatch: countMany,
    countAsync: async (encoding, text, mask, signal) => {
      let count = 0;
      await runSliced(encoding, text, mask, () => ++count > 0, signal);
      return count;
    },
    encodeAsync: async (encoding, text, mask, signal) => {
      const ids: number[] = [];
      await runSliced(encoding, text, mask, (id) => ids.push(id) > 0, signal);
      return Uint32Array.from(ids);
    },
    countBatchAsync: async (encoding, texts, mask, signal) => {
      const counts = new Uint32Array(texts.length);
      for (let i = 0; i < texts.length; i++) {
        let count = 0;
        await runSliced(encoding, texts[i]!, mask, () => ++count > 0, signal);
        counts[i] = count;
        if (i % 16 === 15) await yieldToEventLoop();
      }
      return counts;
    },
  };
}
