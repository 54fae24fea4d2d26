// Batch checks of one fallback limiter: the steps of crates/tollgate-core/src/limiter/batch.rs,
// in the same order with the same arithmetic and counters.
import { BATCH_COLUMN, BATCH_COLUMNS, NAMED_KEY, OUTCOME } from '../store.js';
import type { FallbackLimiter } from './fallback-limiter.js';

/** This thread's fallback batch buffer. */
let buffer = new Float64Array(0);

/** The fallback batch buffer, grown to at least `length` values. */
export function fallbackBatchBuffer(length: number): Float64Array {
  if (buffer.length < length) buffer = new Float64Array(Math.max(length, buffer.length * 2, 4096));
  return buffer;
}

/** Runs checks `start..count` of the batch in the buffer; see `LimiterStore.tryBatch`. */
export function tryFallbackBatch(
  limiter: FallbackLimiter,
  count: number,
  start: number,
  names: readonly string[],
  perCheckCosts: boolean,
  requests: number,
  tokens: number,
  nowMs: number,
): number {
  const work = buffer;
  const inputs = count * (perCheckCosts ? 3 : 1);
  const rules = limiter.rules.length;
  const remainingAt = inputs + BATCH_COLUMNS * count;
  let nextName = 0;
  for (let index = 0; index < start; index += 1) if (work[index] === NAMED_KEY) nextName += 1;
  for (let index = start; index < count; index += 1) {
    const cell = inputs + index;
    if (limiter.closed) {
      work[cell + BATCH_COLUMN.outcome * count] = OUTCOME.closed;
      return index;
    }
    let handle = work[index]!;
    if (handle === NAMED_KEY) handle = limiter.key(names[nextName++]!, nowMs);
    const keys = limiter.keysOf(handle);
    const row = keys.indexOf(handle);
    if (row === undefined) {
      work[cell + BATCH_COLUMN.outcome * count] = OUTCOME.staleKey;
      return index;
    }
    const wantedRequests = perCheckCosts ? work[count + index]! : requests;
    const wantedTokens = perCheckCosts ? work[2 * count + index]! : tokens;
    const now = Math.max(nowMs, keys.lastMs[row]!);
    limiter.expireLeases(handle, now);
    const check = limiter.check(row, handle, wantedRequests, wantedTokens, now);
    let outcome: number = OUTCOME.admitted;
    let retry = 0;
    let rule = -1;
    let lease = -1;
    if (check.exceeds !== -1) {
      outcome = OUTCOME.exceedsCapacity;
      rule = check.exceeds;
    } else if (check.waitRule !== -1) {
      keys.lastMs[row] = now;
      limiter.counters.refused += 1;
      outcome = OUTCOME.refused;
      retry = Math.max(Math.ceil(check.waitMs), 1);
      rule = check.waitRule;
    } else {
      lease = limiter.commit(row, handle, wantedRequests, wantedTokens, now);
      limiter.counters.admitted += 1;
    }
    work[cell + BATCH_COLUMN.outcome * count] = outcome;
    work[cell + BATCH_COLUMN.retryAfterMs * count] = retry;
    work[cell + BATCH_COLUMN.rule * count] = rule;
    work[cell + BATCH_COLUMN.atMs * count] = now;
    work[cell + BATCH_COLUMN.lease * count] = lease;
    work[cell + BATCH_COLUMN.handle * count] = handle;
    limiter.writeRemaining(handle, row, work, remainingAt + index * rules);
    if (outcome !== OUTCOME.exceedsCapacity) limiter.sweep(handle, now, 2);
  }
  return count;
}
