import { TollgateError, type TollgateErrorCode } from '../errors.js';
import { loadNativeBinding } from '../native/binding.js';
import { OUTPUT_LENGTH, type LimiterStore } from './store.js';
import { storedName, storedNames } from './stored-name.js';

/**
 * Arrays the binding keeps pointers to, hung on the binding's exports object (one per thread,
 * cached by `require`): two copies of this module loaded in one thread (sources and build, or
 * two installs) then share them instead of each registering its own, where the binding would
 * read one copy's numbers for the other's call. They live as long as the thread.
 */
interface ArrayHolder {
  tollgateLimiterOutput?: Float64Array;
  tollgateLimiterBatch?: Float64Array;
}

/** The limiter functions of the Rust binding (`crates/tollgate-node/src/limiter`). */
interface LimiterBinding {
  limiterCreate(name: string, spec: Float64Array): number;
  limiterKey(id: number, key: string, nowMs: number): number;
  limiterUseOutput(out: Float64Array): void;
  limiterTry(id: number, key: number, requests: number, tokens: number, nowMs: number): number;
  limiterTryPacked(): number;
  limiterTryNamed(id: number, name: string, requests: number, tokens: number, nowMs: number): number;
  limiterTryMany(ids: Uint32Array, keys: Float64Array, requests: number, tokens: number, nowMs: number, out: Float64Array): number;
  limiterUseBatch(buffer: Float64Array): void;
  limiterTryBatch(id: number, count: number, start: number, names: string, perCheckCosts: boolean, requests: number, tokens: number, nowMs: number): number;
  limiterTryBatchList(id: number, count: number, start: number, names: readonly string[], perCheckCosts: boolean, requests: number, tokens: number, nowMs: number): number;
  limiterRelease(id: number, lease: number): boolean;
  limiterSettle(id: number, key: number, atMs: number, deltaTokens: number, nowMs: number): boolean;
  limiterEvictIdle(id: number, nowMs: number): number;
  limiterStats(id: number, out: Float64Array): void;
  limiterClose(id: number, name: string): void;
}


const CODES = new Set<string>(['ERR_INVALID_ARGUMENT', 'ERR_LIMITER_CONFLICT', 'ERR_NATIVE_FAILURE']);

function translate(error: unknown): TollgateError {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^(ERR_[A-Z_]+): (.*)$/s.exec(message);
  if (match !== null && CODES.has(match[1]!)) return new TollgateError(match[1] as TollgateErrorCode, match[2]!, { cause: error });
  return new TollgateError('ERR_NATIVE_FAILURE', `The native limiter failed: ${message}`, { cause: error });
}

function guarded<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw translate(error);
  }
}

/**
 * The native store, or the reason it cannot load. The hot calls (`tryOne`, `release`, `settle`)
 * go straight to the binding: the binding already turns panics into errors, and wrapping them
 * in a try/catch closure here costs more than the check itself.
 */
export function loadNativeStore(): LimiterStore | Error {
  const loaded = loadNativeBinding();
  if (loaded instanceof Error) return loaded;
  const binding = loaded as unknown as LimiterBinding;
  if (typeof binding.limiterTry !== 'function' || typeof binding.limiterTryBatch !== 'function' || typeof binding.limiterTryPacked !== 'function') return new Error('the native binary predates the limiter; rebuild it');
  const holder = binding as unknown as ArrayHolder;
  const output = (holder.tollgateLimiterOutput ??= new Float64Array(OUTPUT_LENGTH));
  binding.limiterUseOutput(output);
  /** This thread's batch buffer, grown (and registered again) when a batch needs more. */
  const batchBuffer = (length: number): Float64Array => {
    const batch = holder.tollgateLimiterBatch;
    if (batch !== undefined && batch.length >= length) return batch;
    const grown = new Float64Array(Math.max(length, (batch?.length ?? 0) * 2, 4096));
    binding.limiterUseBatch(grown);
    holder.tollgateLimiterBatch = grown;
    return grown;
  };
  const tryBatch: LimiterStore['tryBatch'] = (id, count, start, names, perCheckCosts, requests, tokens, nowMs) => {
    const joined = names.length === 0 ? '' : names.join('\0');
    const done = binding.limiterTryBatch(id, count, start, joined, perCheckCosts, requests, tokens, nowMs);
    if (done !== -1) return done;
    // A name holds a NUL, so the joined names do not split back: pass them as an array.
    return binding.limiterTryBatchList(id, count, start, names, perCheckCosts, requests, tokens, nowMs);
  };
  return {
    backend: 'native',
    output,
    create: (name, spec) => guarded(() => binding.limiterCreate(name, spec)),
    key: (id, name, nowMs) => guarded(() => binding.limiterKey(id, storedName(name), nowMs)),
    tryOne: binding.limiterTry,
    tryPacked: binding.limiterTryPacked,
    tryNamed: (id, name, requests, tokens, nowMs) => binding.limiterTryNamed(id, storedName(name), requests, tokens, nowMs),
    tryMany: (ids, keys, requests, tokens, nowMs, out) => guarded(() => binding.limiterTryMany(ids, keys, requests, tokens, nowMs, out)),
    batchBuffer: (length) => guarded(() => batchBuffer(length)),
    tryBatch: (id, count, start, names, perCheckCosts, requests, tokens, nowMs) =>
      guarded(() => tryBatch(id, count, start, storedNames(names), perCheckCosts, requests, tokens, nowMs)),
    release: binding.limiterRelease,
    settle: binding.limiterSettle,
    evictIdle: (id, nowMs) => guarded(() => binding.limiterEvictIdle(id, nowMs)),
    stats: (id, out) => guarded(() => binding.limiterStats(id, out)),
    close: (id, name) => guarded(() => binding.limiterClose(id, name)),
  };
}
