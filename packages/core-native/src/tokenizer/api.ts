import { invalidArgument } from '../errors.js';
import { activeBackend } from './active-backend.js';
import { requireSignal, requireText, requireTexts, resolveOptions, type TokenizeOptions } from './options.js';

/** Options of the async variants. */
export interface AsyncTokenizeOptions extends TokenizeOptions {
  /** Aborting rejects the promise at once with `ERR_ABORTED` and stops the work. */
  readonly signal?: AbortSignal;
}

const decoder = new TextDecoder('utf-8');

/**
 * Counts the tokens of `text`, exactly as tiktoken would, without building the ids.
 *
 * Special-token text (e.g. `<|endoftext|>`) is ordinary text unless `allowedSpecial` says
 * otherwise; unpaired UTF-16 surrogates count as U+FFFD. Linear time on any input.
 *
 * @example
 * countTokens('Hello, world!', { model: 'gpt-4o' }); // 4
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` (text not a string), `ERR_UNKNOWN_MODEL`,
 *   `ERR_UNKNOWN_ENCODING`, `ERR_UNKNOWN_SPECIAL_TOKEN`.
 */
export function countTokens(text: string, options?: TokenizeOptions): number {
  requireText(text);
  const { encoding, mask } = resolveOptions(options);
  return activeBackend().count(encoding, text, mask);
}

/**
 * The token ids of `text`, equal to tiktoken's.
 *
 * @throws {TollgateError} as {@link countTokens}.
 */
export function encode(text: string, options?: TokenizeOptions): Uint32Array {
  requireText(text);
  const { encoding, mask } = resolveOptions(options);
  return activeBackend().encode(encoding, text, mask);
}

/**
 * The text of `ids`. Bytes that do not form valid UTF-8 (a character split between ids) become
 * U+FFFD, as in tiktoken's `decode`.
 *
 * @throws {TollgateError} `ERR_INVALID_TOKEN_ID` naming the first id that is not a token;
 *   `ERR_INVALID_ARGUMENT` when `ids` is not an array of integers.
 */
export function decode(ids: Uint32Array | readonly number[], options?: TokenizeOptions): string {
  const { encoding } = resolveOptions(options);
  return decoder.decode(activeBackend().decodeBytes(encoding, toIds(ids)));
}

function toIds(ids: unknown): Uint32Array {
  if (ids instanceof Uint32Array) return ids;
  if (!Array.isArray(ids)) throw invalidArgument('ids', 'a Uint32Array or an array of token ids', ids);
  const out = new Uint32Array(ids.length);
  for (let index = 0; index < ids.length; index++) {
    const id: unknown = ids[index];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw invalidArgument(`ids[${index}]`, 'a non-negative integer token id', id);
    }
    out[index] = id;
  }
  return out;
}

/**
 * Token counts of many texts, spread over all cores (the native backend); one crossing of the
 * native boundary for the whole batch.
 *
 * @throws {TollgateError} as {@link countTokens}; `texts[i]` names a bad entry.
 */
export function countTokensBatch(texts: readonly string[], options?: TokenizeOptions): Uint32Array {
  requireTexts(texts);
  const { encoding, mask } = resolveOptions(options);
  return activeBackend().countBatch(encoding, texts, mask);
}

/**
 * {@link countTokens} off the event loop (native: libuv's thread pool, a text longer than 2 Mi
 * characters handed over in parts, one per event-loop turn; fallback: 64 KB slices between which
 * the event loop runs).
 */
export async function countTokensAsync(text: string, options?: AsyncTokenizeOptions): Promise<number> {
  requireText(text);
  const { encoding, mask } = resolveOptions(options);
  requireSignal(options?.signal);
  return activeBackend().countAsync(encoding, text, mask, options?.signal);
}

/** {@link encode} off the event loop; see {@link countTokensAsync}. */
export async function encodeAsync(text: string, options?: AsyncTokenizeOptions): Promise<Uint32Array> {
  requireText(text);
  const { encoding, mask } = resolveOptions(options);
  requireSignal(options?.signal);
  return activeBackend().encodeAsync(encoding, text, mask, options?.signal);
}

/** {@link countTokensBatch} off the event loop; see {@link countTokensAsync}. */
export async function countTokensBatchAsync(
  texts: readonly string[],
  options?: AsyncTokenizeOptions,
): Promise<Uint32Array> {
  requireTexts(texts);
  const { encoding, mask } = resolveOptions(options);
  requireSignal(options?.signal);
  // A copy: the texts cross over several event-loop turns, and the caller may reuse its array.
  return activeBackend().countBatchAsync(encoding, texts.slice(), mask, options?.signal);
}

/**
 * The token count of `text` when it is at most `limit`, else `false`. Stops counting as soon as
 * the limit is passed, so a huge text over a small limit costs little.
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` when `limit` is not a non-negative integer.
 */
export function isWithinTokenLimit(text: string, limit: number, options?: TokenizeOptions): number | false {
  requireText(text);
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw invalidArgument('limit', 'a non-negative integer', limit);
  }
  const { encoding, mask } = resolveOptions(options);
  const boundedLimit = Math.min(limit, 0xffffffff);
  const count = activeBackend().countUpTo(encoding, text, mask, boundedLimit);
  return count < 0 ? false : count;
}
