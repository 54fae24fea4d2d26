import type { EncodingName } from './encoding-name.js';

/** Which implementation does the work. */
export type BackendName = 'native' | 'fallback';

/**
 * What a tokenizer backend does. Every method takes a whole text or a batch: one crossing of the
 * native boundary per unit of real work. `mask` allows special tokens by their index in
 * `SPECIAL_TOKENS[encoding]`; inputs are validated by the caller.
 */
export interface TokenizerBackend {
  readonly name: BackendName;
  /** Worker threads that batch counting spreads over. */
  readonly parallelism: number;
  warmUp(encoding: EncodingName): void;
  count(encoding: EncodingName, text: string, mask: number): number;
  /** The count when at most `limit`, else -1. */
  countUpTo(encoding: EncodingName, text: string, mask: number, limit: number): number;
  encode(encoding: EncodingName, text: string, mask: number): Uint32Array;
  /** The bytes of `ids`; throws `ERR_INVALID_TOKEN_ID` naming the first bad one. */
  decodeBytes(encoding: EncodingName, ids: Uint32Array): Uint8Array;
  /** Counts of many small texts, in order, on the calling thread. */
  countMany(encoding: EncodingName, texts: readonly string[], mask: number): Uint32Array;
  /** Counts spread over all cores. */
  countBatch(encoding: EncodingName, texts: readonly string[], mask: number): Uint32Array;
  countAsync(encoding: EncodingName, text: string, mask: number, signal?: AbortSignal): Promise<number>;
  encodeAsync(encoding: EncodingName, text: string, mask: number, signal?: AbortSignal): Promise<Uint32Array>;
  countBatchAsync(
    encoding: EncodingName,
    texts: readonly string[],
    mask: number,
    signal?: AbortSignal,
  ): Promise<Uint32Array>;
}
