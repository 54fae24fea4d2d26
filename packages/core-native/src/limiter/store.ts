/**
 * The synchronous state behind a limiter, implemented twice with identical arithmetic: by the
 * Rust core (`native-store.ts`, shared by every worker thread) and in TS (`fallback/`, one per
 * thread). Keys and leases are numbers (index plus generation); answers go into `out`:
 * `[outcome, retryAfterMs, scope index, rule index]`, then per scope `[atMs, lease or -1,
 * remaining per rule...]`.
 */
export interface LimiterStore {
  readonly backend: 'native' | 'fallback';
  create(name: string, spec: Float64Array): number;
  /** Where `tryOne` and `tryNamed` write their answer (one array per thread, reused). */
  readonly output: Float64Array;
  key(id: number, name: string, nowMs: number): number;
  /** `nowMs` NaN: the system clock's time (`Date.now()`), read by the store itself. */
  tryOne(id: number, key: number, requests: number, tokens: number, nowMs: number): number;
  /** As `tryOne`, reading `[id, key, requests, tokens, nowMs]` from `output` at {@link PACKED_INPUT}. */
  tryPacked(): number;
  /** As `tryOne`, resolving the key by name in the same call; writes the key's handle to `output[NAMED_HANDLE]`. */
  tryNamed(id: number, name: string, requests: number, tokens: number, nowMs: number): number;
  tryMany(ids: Uint32Array, keys: Float64Array, requests: number, tokens: number, nowMs: number, out: Float64Array): number;
  /** This thread's batch buffer, grown (and registered with the binding) to at least `length` values. */
  batchBuffer(length: number): Float64Array;
  /**
   * Runs checks `start..count` of a batch whose inputs are in the batch buffer: `count` key
   * handles ({@link NAMED_KEY} for a key given by name, the names in order in `names`), then with
   * `perCheckCosts` `count` request and `count` token amounts. Answers follow the inputs (see
   * {@link BATCH_COLUMN}). Returns where it stopped: `count`, or a check with a stale handle or a
   * closed limiter (its outcome says which).
   */
  tryBatch(id: number, count: number, start: number, names: readonly string[], perCheckCosts: boolean, requests: number, tokens: number, nowMs: number): number;
  release(id: number, lease: number): boolean;
  settle(id: number, key: number, atMs: number, deltaTokens: number, nowMs: number): boolean;
  evictIdle(id: number, nowMs: number): number;
  /** Writes `[keys, leases, admitted, refused, evicted, leasesExpired, approximateBytes]`. */
  stats(id: number, out: Float64Array): void;
  close(id: number, name: string): void;
}

/** Outcome codes written to `out[0]`. */
export const OUTCOME = { admitted: 1, refused: 0, exceedsCapacity: -1, staleKey: -2, closed: -3 } as const;

/** Fields before the per-scope part of `out`, and per scope before its remaining values. */
export const HEADER = 4;
export const SCOPE_HEADER = 2;

/** Length of a store's `output`: enough for one scope of any valid limiter (at most 11 rules). */
export const OUTPUT_LENGTH = 32;

/** Where `tryPacked` reads its five numbers in `output` (after the longest answer, 17 values). */
export const PACKED_INPUT = 24;

/** Where `tryNamed` writes the handle of the key it resolved in `output`. */
export const NAMED_HANDLE = 31;

/** Most scopes one acquire may span. */
export const MAX_SCOPES = 8;

/** Per-check columns of a batch answer, each `count` values long, then `count` rows of remaining amounts. */
export const BATCH_COLUMN = { outcome: 0, retryAfterMs: 1, rule: 2, atMs: 3, lease: 4, handle: 5 } as const;
export const BATCH_COLUMNS = 6;

/** Input handle of a batch check whose key is given by name. */
export const NAMED_KEY = -1;

/** Most checks in one batch. */
export const MAX_BATCH = 100_000;
