import { TollgateError, invalidArgument } from '../errors.js';
import { checkCost, type AcquireCost } from './cost.js';
import { admitChannel, rejectChannel } from './events.js';
import { LimitBatch } from './limit-batch.js';
import type { Limiter } from './limiter.js';
import { LimiterKey } from './limiter-key.js';
import { BATCH_COLUMN, BATCH_COLUMNS, MAX_BATCH, NAMED_KEY, OUTCOME } from './store.js';

const NO_NAMES: readonly string[] = [];

/**
 * Answers of small batches are copied into views of one shared block per thread instead of an
 * array each: a typed array of its own costs a `calloc` and a free by V8's sweeper thread, which
 * took a quarter of a 50-check batch (perf). A block lives while any batch still holds a view
 * into it (512 KiB at most per block); batches larger than a quarter block get their own array.
 */
const ANSWER_BLOCK = 1 << 16;
let answerBlock = new Float64Array(ANSWER_BLOCK);
let answerBlockUsed = 0;

function copyAnswers(work: Float64Array, from: number, length: number): Float64Array {
  if (length > ANSWER_BLOCK / 4) return work.slice(from, from + length);
  if (answerBlockUsed + length > ANSWER_BLOCK) {
    answerBlock = new Float64Array(ANSWER_BLOCK);
    answerBlockUsed = 0;
  }
  const view = answerBlock.subarray(answerBlockUsed, answerBlockUsed + length);
  answerBlockUsed += length;
  for (let index = 0; index < length; index += 1) view[index] = work[from + index]!;
  return view;
}

function tooLarge(limiter: Limiter, field: string, amount: number, rule: number): TollgateError {
  const label = limiter.labels[rule]!;
  return new TollgateError('ERR_COST_EXCEEDS_CAPACITY', `Expected \`${field}\` to fit within \`${label}\` (capacity ${limiter.capacities[rule]}), got ${amount}.`, {
    field: label,
    value: String(amount),
  });
}

/**
 * The body of {@link Limiter.tryAcquireMany}: checks the input, writes it into the store's batch
 * buffer, runs the batch (resuming after re-resolving a stale handle), copies the answers out.
 * @internal
 */
export function tryAcquireMany(limiter: Limiter, keys: readonly (string | LimiterKey)[], costs?: AcquireCost | readonly AcquireCost[]): LimitBatch {
  if (!Array.isArray(keys)) throw invalidArgument('keys', `an array of up to ${MAX_BATCH} keys`, keys);
  const count = keys.length;
  if (count > MAX_BATCH) throw invalidArgument('keys', `an array of up to ${MAX_BATCH} keys`, `${count} keys`);
  limiter.assertOpen();
  const perCheck = Array.isArray(costs);
  if (perCheck && costs.length !== count) throw invalidArgument('costs', `one cost or an array of ${count} costs (one per key)`, `${costs.length} costs`);
  const [requestCapacity, requestRule] = limiter.tightest.requests;
  const [tokenCapacity, tokenRule] = limiter.tightest.tokens;
  let requests = 1;
  let tokens = 0;
  if (!perCheck && costs !== undefined) {
    ({ requests, tokens } = checkCost(costs as AcquireCost, 'costs'));
    if (requests > requestCapacity) throw tooLarge(limiter, 'costs.requests', requests, requestRule);
    if (tokens > tokenCapacity) throw tooLarge(limiter, 'costs.tokens', tokens, tokenRule);
  }

  const store = limiter.store;
  const stride = BATCH_COLUMNS + limiter.labels.length;
  const inputs = count * (perCheck ? 3 : 1);
  const work = store.batchBuffer(inputs + count * stride);
  const missed: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const key = keys[index];
    if (typeof key === 'string' && key !== '') {
      // A string seen lately goes as its handle (numbers only); others go by name.
      const handle = limiter.handleOf(key);
      if (handle === undefined) {
        work[index] = NAMED_KEY;
        missed.push(key);
      } else {
        work[index] = handle;
      }
    } else if (key instanceof LimiterKey && key.limiterId === limiter.id) {
      work[index] = key.handle;
    } else {
      throw invalidArgument(`keys[${index}]`, 'a non-empty string or a key of this limiter', key);
    }
    if (perCheck) {
      const cost = checkCost((costs as readonly AcquireCost[])[index], `costs[${index}]`);
      if (cost.requests > requestCapacity) throw tooLarge(limiter, `costs[${index}].requests`, cost.requests, requestRule);
      if (cost.tokens > tokenCapacity) throw tooLarge(limiter, `costs[${index}].tokens`, cost.tokens, tokenRule);
      work[count + index] = cost.requests;
      work[2 * count + index] = cost.tokens;
    }
  }
  const names = missed.length === 0 ? NO_NAMES : missed;
  const tokensOf = perCheck ? work.slice(2 * count, 3 * count) : tokens;

  const now = limiter.clock.now();
  let start = 0;
  while (count > 0) {
    const stopped = store.tryBatch(limiter.id, count, start, names, perCheck, requests, tokens, now);
    if (stopped === count) break;
    if (work[inputs + stopped] !== OUTCOME.staleKey) {
      limiter.assertOpen();
      throw new TollgateError('ERR_LIMITER_CLOSED', `The limiter ${JSON.stringify(limiter.name)} is closed.`);
    }
    // The key was evicted while idle: resolve it again and resume at the same check, so the
    // checks still run in order. The fresh handle is current, so this check makes progress.
    // Later checks of the same key get the fresh handle too, as a loop would see it.
    const key = keys[stopped]!;
    const handle = store.key(limiter.id, typeof key === 'string' ? key : key.name, now);
    if (typeof key === 'string') limiter.rememberHandle(key, handle);
    else key.handle = handle;
    for (let index = stopped; index < count; index += 1) if (keys[index] === key) work[index] = handle;
    start = stopped;
  }
  const values = copyAnswers(work, inputs, count * stride);
  if (missed.length > 0) {
    const handles = BATCH_COLUMN.handle * count;
    for (let index = 0; index < count; index += 1) if (work[index] === NAMED_KEY) limiter.rememberHandle(keys[index] as string, values[handles + index]!);
  }
  const batch = new LimitBatch({ owner: limiter, labels: limiter.labels, keys, tokens: tokensOf }, values, count);
  if (admitChannel.hasSubscribers || rejectChannel.hasSubscribers) publishAll(limiter, keys, batch, perCheck ? work.slice(count, 2 * count) : requests, tokensOf);
  return batch;
}

/** The `admit` and `reject` events of every check, in order, as single checks publish them. */
function publishAll(limiter: Limiter, keys: readonly (string | LimiterKey)[], batch: LimitBatch, requests: number | Float64Array, tokens: number | Float64Array): void {
  const retry = batch.retryAfterMs;
  keys.forEach((key, index) => {
    const name = typeof key === 'string' ? key : key.name;
    if (batch.isAllowed(index)) {
      if (admitChannel.hasSubscribers) {
        const spent = typeof tokens === 'number' ? tokens : tokens[index]!;
        const taken = typeof requests === 'number' ? requests : requests[index]!;
        admitChannel.publish({ limiter: limiter.name, keys: [name], requests: taken, tokens: spent, waitedMs: 0 });
      }
    } else if (rejectChannel.hasSubscribers) {
      rejectChannel.publish({ limiter: limiter.name, keys: [name], retryAfterMs: retry[index], limit: batch.limitedBy(index) });
    }
  });
}
