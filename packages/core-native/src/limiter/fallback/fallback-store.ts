// The pure-TS limiter store: the same answers as the native one, kept per thread (a worker
// thread gets its own limiters; only the native store shares them across threads).
import { TollgateError } from '../../errors.js';
import { HEADER, NAMED_HANDLE, OUTCOME, OUTPUT_LENGTH, PACKED_INPUT, SCOPE_HEADER, type LimiterStore } from '../store.js';
import { fallbackBatchBuffer, tryFallbackBatch } from './fallback-batch.js';
import { FallbackLimiter } from './fallback-limiter.js';
import { storedName, storedNames } from '../stored-name.js';

const limiters: FallbackLimiter[] = [];
const byName = new Map<string, number>();
const sameSpec = (left: Float64Array, right: Float64Array): boolean =>
  left.length === right.length && left.every((value, index) => value === right[index]);

function limiterOf(id: number): FallbackLimiter {
  const limiter = limiters[id];
  if (limiter === undefined) throw new TollgateError('ERR_INVALID_ARGUMENT', `Expected a limiter id, got ${id}.`);
  return limiter;
}

function tryScopes(scopes: readonly [FallbackLimiter, number][], requests: number, tokens: number, nowMs: number, out: Float64Array): number {
  out.set([OUTCOME.refused, 0, -1, -1]);
  const finish = (outcome: number, scope: number, rule: number): number => {
    out.set([outcome, 0, scope, rule]);
    return outcome;
  };
  const rows: [number, number, number][] = [];
  let fits = true;
  let offset = HEADER;
  for (let scope = 0; scope < scopes.length; scope += 1) {
    const [limiter, key] = scopes[scope]!;
    if (limiter.closed) return finish(OUTCOME.closed, scope, -1);
    const keys = limiter.keysOf(key);
    const row = keys.indexOf(key);
    if (row === undefined) return finish(OUTCOME.staleKey, scope, -1);
    const now = Math.max(nowMs, keys.lastMs[row]!);
    limiter.expireLeases(key, now);
    const check = limiter.check(row, key, requests, tokens, now);
    if (check.exceeds !== -1) return finish(OUTCOME.exceedsCapacity, scope, check.exceeds);
    if (check.waitRule !== -1) {
      fits = false;
      if (check.waitMs >= out[1]!) out.set([check.waitMs, scope, check.waitRule], 1);
    }
    rows.push([row, now, offset]);
    offset += SCOPE_HEADER + limiter.rules.length;
  }

  scopes.forEach(([limiter, key], scope) => {
    const [row, now, at] = rows[scope]!;
    out[at] = now;
    out[at + 1] = -1;
    if (fits) {
      out[at + 1] = limiter.commit(row, key, requests, tokens, now);
      limiter.counters.admitted += 1;
    } else {
      limiter.keysOf(key).lastMs[row] = now;
      limiter.counters.refused += 1;
    }
    limiter.writeRemaining(key, row, out, at + SCOPE_HEADER);
  });
  // Only now, with every scope's key written (see acquire.rs): a sweep between two commits could
  // evict the key of a later scope.
  scopes.forEach(([limiter, key], scope) => limiter.sweep(key, rows[scope]![1], 2));
  if (fits) {
    out[0] = OUTCOME.admitted;
    return OUTCOME.admitted;
  }
  out[1] = Math.max(Math.ceil(out[1]!), 1);
  return OUTCOME.refused;
}

const output = new Float64Array(OUTPUT_LENGTH);

/** Writes the four header values of a single-scope answer into `output`; returns the outcome. */
function header(outcome: number, retryAfterMs: number, scope: number, rule: number): number {
  output[0] = outcome;
  output[1] = retryAfterMs;
  output[2] = scope;
  output[3] = rule;
  return outcome;
}

/**
 * Single-scope attempt (`nowMs` NaN: `Date.now()`): the steps and answers of {@link tryScopes}
 * with one scope (as crates/tollgate-core/src/limiter/single.rs), without its lists.
 */
function tryOne(limiter: FallbackLimiter, key: number, requests: number, tokens: number, nowMs: number): number {
  const out = output;
  if (limiter.closed) return header(OUTCOME.closed, 0, 0, -1);
  const keys = limiter.keysOf(key);
  const row = keys.indexOf(key);
  if (row === undefined) return header(OUTCOME.staleKey, 0, 0, -1);
  const now = Math.max(Number.isNaN(nowMs) ? Date.now() : nowMs, keys.lastMs[row]!);
  limiter.expireLeases(key, now);
  const check = limiter.check(row, key, requests, tokens, now);
  if (check.exceeds !== -1) return header(OUTCOME.exceedsCapacity, 0, 0, check.exceeds);
  out[HEADER] = now;
  out[HEADER + 1] = -1;
  let outcome: number;
  if (check.waitRule !== -1) {
    keys.lastMs[row] = now;
    limiter.counters.refused += 1;
    outcome = header(OUTCOME.refused, Math.max(Math.ceil(check.waitMs), 1), 0, check.waitRule);
  } else {
    out[HEADER + 1] = limiter.commit(row, key, requests, tokens, now);
    limiter.counters.admitted += 1;
    outcome = header(OUTCOME.admitted, 0, -1, -1);
  }
  limiter.writeRemaining(key, row, out, HEADER + SCOPE_HEADER);
  limiter.sweep(key, now, 2);
  return outcome;
}

/** The fallback store; limiters live in this thread until closed. */
export const fallbackStore: LimiterStore = {
  backend: 'fallback',
  output,
  create(name, spec) {
    const existing = name === '' ? undefined : byName.get(name);
    if (existing !== undefined) {
      if (sameSpec(limiters[existing]!.spec, spec)) return existing;
      throw new TollgateError('ERR_LIMITER_CONFLICT', `A limiter named ${JSON.stringify(name)} already exists with other limits.`, {
        field: 'name',
        value: JSON.stringify(name),
      });
    }
    const id = limiters.length;
    limiters.push(new FallbackLimiter(id, spec.slice()));
    if (name !== '') byName.set(name, id);
    return id;
  },
  key: (id, name, nowMs) => limiterOf(id).key(storedName(name), nowMs),
  tryOne: (id, key, requests, tokens, nowMs) => tryOne(limiterOf(id), key, requests, tokens, nowMs),
  tryPacked: () => tryOne(limiterOf(output[PACKED_INPUT]!), output[PACKED_INPUT + 1]!, output[PACKED_INPUT + 2]!, output[PACKED_INPUT + 3]!, output[PACKED_INPUT + 4]!),
  tryNamed(id, name, requests, tokens, nowMs) {
    const limiter = limiterOf(id);
    const now = Number.isNaN(nowMs) ? Date.now() : nowMs;
    const key = limiter.key(storedName(name), now);
    const outcome = tryOne(limiter, key, requests, tokens, now);
    output[NAMED_HANDLE] = key;
    return outcome;
  },
  tryMany(ids, keys, requests, tokens, nowMs, out) {
    const scopes = Array.from(ids, (id, index): [FallbackLimiter, number] => [limiterOf(id), keys[index]!]);
    return tryScopes(scopes, requests, tokens, nowMs, out);
  },
  batchBuffer: fallbackBatchBuffer,
  tryBatch: (id, count, start, names, perCheckCosts, requests, tokens, nowMs) =>
    tryFallbackBatch(limiterOf(id), count, start, storedNames(names), perCheckCosts, requests, tokens, nowMs),
  release: (id, lease) => limiterOf(id).release(lease),
  settle: (id, key, atMs, deltaTokens, nowMs) => limiterOf(id).settle(key, atMs, deltaTokens, nowMs),
  evictIdle: (id, nowMs) => limiterOf(id).evictIdle(nowMs),
  stats(id, out) {
    const limiter = limiterOf(id);
    const { admitted, refused, evicted, leasesExpired } = limiter.counters;
    const [keys, leases, bytes] = limiter.totals();
    out.set([keys, leases, admitted, refused, evicted, leasesExpired, bytes]);
  },
  close(id, name) {
    limiterOf(id).clear();
    if (name !== '') byName.delete(name);
  },
};
