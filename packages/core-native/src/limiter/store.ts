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
  tryOne(id: number, key: number, requests: number, tokens: number, nowMs: number): number;
  /** As `tryOne`, resolving the key by name in the same call. */
  tryNamed(id: number, name: string, requests: number, tokens: number, nowMs: number): number;
  tryMany(ids: Uint32Array, keys: Float64Array, requests: number, tokens: number, nowMs: number, out: Float64Array): number;
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

/** Most scopes one acquire may span. */
export const MAX_SCOPES = 8;
