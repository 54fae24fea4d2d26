// Admission over several Redis-backed scopes at once (user, team, deployment...), all or nothing
// in one Lua script, and the waiting form; a single-key call is the same with one scope.
import { randomUUID } from 'node:crypto';
import { TollgateError, invalidArgument } from '../../errors.js';
import { abortError } from '../../tokenizer/abort.js';
import type { AcquireOptions } from '../acquire-scopes.js';
import { checkCost, type AcquireCost, type CheckedCost } from '../cost.js';
import { checkAcquireOptions, tryAcquireAll, type LimiterScope } from '../acquire-scopes.js';
import { MAX_SCOPES } from '../store.js';
import type { AttemptResult } from '../wait-queue.js';
import { waitForAdmission } from '../wait-for-admission.js';
import { RedisLease, type RedisLeasePart } from './redis-lease.js';
import type { RedisFailurePolicy, RedisLimitDecision, RedisLimiter } from './redis-limiter.js';
import { ACQUIRE_SCRIPT } from './redis-scripts.js';

/** One key of one Redis limiter. */
export interface RedisLimiterScope {
  readonly limiter: RedisLimiter;
  readonly key: string;
}

/** Checks the scopes: 1 to 8, one Redis connection, one wait queue, distinct non-empty keys. */
export function checkRedisScopes(scopes: readonly RedisLimiterScope[]): void {
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.length > MAX_SCOPES) {
    throw invalidArgument('scopes', `an array of 1 to ${MAX_SCOPES} scopes`, scopes);
  }
  const first = scopes[0]!.limiter;
  const seen = new Set<string>();
  scopes.forEach(({ limiter, key }, index) => {
    if (limiter?.redis !== first?.redis || limiter.queue !== first.queue) {
      throw invalidArgument(`scopes[${index}].limiter`, 'a Redis limiter with the same redis, clock and pollIntervalMs as scopes[0]', limiter?.name);
    }
    if (typeof key !== 'string' || key === '') throw invalidArgument(`scopes[${index}].key`, 'a non-empty string', key);
    const identity = `${limiter.name}\u0000${key}`;
    if (seen.has(identity)) throw invalidArgument(`scopes[${index}].key`, 'a key not already in the scopes', key);
    seen.add(identity);
  });
}

/** The strictest policy among the scopes: `closed`, then `local`, then `open`. */
function policyOf(scopes: readonly RedisLimiterScope[]): RedisFailurePolicy {
  const policies = new Set(scopes.map(({ limiter }) => limiter.policy));
  return policies.has('closed') ? 'closed' : policies.has('local') ? 'local' : 'open';
}

function emptyRemaining(limiter: RedisLimiter): Record<string, number> {
  return Object.fromEntries(limiter.labels.map((label) => [label, 0]));
}

/** The answer while Redis is unreachable, by the strictest policy of the scopes. */
function unavailable(scopes: readonly RedisLimiterScope[], cost: CheckedCost): RedisLimitDecision {
  const policy = policyOf(scopes);
  const remainingByScope = scopes.map(({ limiter }) => emptyRemaining(limiter));
  const remaining = remainingByScope[0]!;
  if (policy === 'open') return { allowed: true, retryAfterMs: 0, remaining, remainingByScope, lease: new RedisLease([], cost.tokens), source: 'open' };
  if (policy === 'closed') {
    const retryAfterMs = Math.max(...scopes.map(({ limiter }) => limiter.commandTimeoutMs));
    return { allowed: false, retryAfterMs, remaining, remainingByScope, source: 'closed' };
  }
  // `local`: the scopes whose limiter keeps local limits are checked here; the `open` ones admit.
  const local: LimiterScope[] = [];
  const indexes: number[] = [];
  scopes.forEach(({ limiter, key }, index) => {
    if (limiter.local === undefined) return;
    local.push({ limiter: limiter.local, key });
    indexes.push(index);
  });
  const decision = tryAcquireAll(local, cost);
  indexes.forEach((scope, index) => (remainingByScope[scope] = { ...decision.remainingByScope[index] }));
  const lease = decision.lease === undefined ? undefined : new RedisLease([], cost.tokens, decision.lease);
  const by = decision.limitedBy;
  const limitedBy = by === undefined ? {} : { limitedBy: { scope: indexes[by.scope]!, limit: by.limit } };
  return { allowed: decision.allowed, retryAfterMs: decision.retryAfterMs, remaining: remainingByScope[0]!, remainingByScope, ...limitedBy, lease, source: 'local' };
}

/** One attempt over `scopes` in Redis (the policy answers when Redis cannot). */
export async function attemptRedisScopes(scopes: readonly RedisLimiterScope[], cost: CheckedCost): Promise<RedisLimitDecision> {
  const first = scopes[0]!.limiter;
  const member = randomUUID();
  const keys: string[] = [];
  const args: (string | number)[] = [cost.requests, cost.tokens, member, scopes.length];
  for (const { limiter, key } of scopes) {
    keys.push(...limiter.keysOf(key));
    args.push(limiter.labels.length, limiter.spec[0]!, ...limiter.spec.subarray(1));
  }
  let reply: number[];
  try {
    reply = (await first.call(ACQUIRE_SCRIPT, keys, args)) as number[];
  } catch (error) {
    // An error reply from a Redis that is up is the caller's to see, not an outage to paper over.
    if (TollgateError.isInstance(error) && error.code === 'ERR_LIMITER_BACKEND') throw error;
    return unavailable(scopes, cost);
  }
  const [outcome, retryAfterMs, scopeIndex, rule] = reply as [number, number, number, number];
  if (outcome === -1) {
    const limiter = scopes[scopeIndex]!.limiter;
    const label = limiter.labels[rule]!;
    const amount = label.startsWith('tokens') ? cost.tokens : cost.requests;
    throw new TollgateError('ERR_COST_EXCEEDS_CAPACITY', `Expected the cost to fit within \`${label}\` of limiter ${JSON.stringify(limiter.name)}, got ${amount}.`, { field: label, value: String(amount) });
  }
  const parts: RedisLeasePart[] = [];
  const remainingByScope: Record<string, number>[] = [];
  let at = 4;
  for (const { limiter, key } of scopes) {
    const atMs = Number(reply[at]);
    const remaining: Record<string, number> = {};
    limiter.labels.forEach((label, index) => (remaining[label] = Number(reply[at + 1 + index])));
    remainingByScope.push(remaining);
    at += 1 + limiter.labels.length;
    parts.push({ owner: limiter, key, atMs, member: limiter.labels.includes('inFlight') && cost.requests > 0 ? `${member}:${cost.requests}` : undefined });
  }
  const remaining = remainingByScope[0]!;
  if (outcome === 1) return { allowed: true, retryAfterMs: 0, remaining, remainingByScope, lease: new RedisLease(parts, cost.tokens), source: 'redis' };
  const limitedBy = { scope: scopeIndex, limit: scopes[scopeIndex]!.limiter.labels[rule]! };
  return { allowed: false, retryAfterMs, remaining, remainingByScope, limitedBy, source: 'redis' };
}

/**
 * Takes `cost` from every scope if every limit of every scope allows it now; all or nothing, in
 * one Lua script (Redis keys of different scopes must live on one Redis server: not for a Redis
 * Cluster unless the keys hash to one slot). While Redis is unreachable the strictest policy of
 * the scopes' limiters answers (`closed`, then `local`, then `open`).
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` naming `scopes[i]...` or the cost;
 *   `ERR_COST_EXCEEDS_CAPACITY` when the cost can never fit a limit.
 * @example
 * const decision = await redisTryAcquireAll([{ limiter: perUser, key: 'user:42' }, { limiter: perTeam, key: 'team:blue' }], { tokens: 900 });
 */
export async function redisTryAcquireAll(scopes: readonly RedisLimiterScope[], cost?: AcquireCost): Promise<RedisLimitDecision> {
  checkRedisScopes(scopes);
  return attemptRedisScopes(scopes, checkCost(cost));
}

/**
 * Waits in fair order (within this process) until `cost` fits every scope, then takes it from
 * all of them; see {@link redisTryAcquireAll}.
 *
 * @throws {TollgateError} `ERR_LIMIT_TIMEOUT`, `ERR_ABORTED`, `ERR_COST_EXCEEDS_CAPACITY`,
 *   `ERR_INVALID_ARGUMENT`.
 */
export function redisAcquireAll(scopes: readonly RedisLimiterScope[], cost?: AcquireCost, options?: AcquireOptions): Promise<RedisLease> {
  let checked: CheckedCost;
  let signal: AbortSignal | undefined;
  let timeoutMs: number;
  let priority: number;
  try {
    checkRedisScopes(scopes);
    checked = checkCost(cost);
    ({ signal, timeoutMs, priority } = checkAcquireOptions(options));
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  const { queue, clock } = scopes[0]!.limiter;
  return waitForAdmission<RedisLease>({
    queue,
    clock,
    priority,
    scopes: scopes.map(({ limiter, key }) => `redis\u0000${limiter.name}\u0000${key}`),
    attempt: async (): Promise<AttemptResult<RedisLease>> => {
      try {
        const decision = await attemptRedisScopes(scopes, checked);
        return decision.allowed ? { kind: 'admitted', value: decision.lease! } : { kind: 'wait', retryAfterMs: decision.retryAfterMs };
      } catch (error) {
        return { kind: 'error', error };
      }
    },
    undo: (lease) => void lease.settle({ tokens: 0 }).then(() => lease.release()).catch(() => undefined),
    signal,
    timeoutMs,
  });
}
