import { TollgateError, invalidArgument } from '../../errors.js';
import { systemClock, type LimiterClock } from '../clock.js';
import { checkCost, type AcquireCost } from '../cost.js';
import { publish } from '../events.js';
import { encodeSpec, normalizeRules } from '../limit-rules.js';
import { createLimiter, type Limiter, type LimiterOptions } from '../limiter.js';
import type { AcquireOptions } from '../acquire-scopes.js';
import { queueFor, type WaitQueue } from '../wait-queue.js';
import type { RedisLease, RedisLeaseOwner } from './redis-lease.js';
import { RELEASE_SCRIPT, SETTLE_SCRIPT } from './redis-scripts.js';
import type { RedisEvaluator } from './redis-evaluator.js';
import { attemptRedisScopes, redisAcquireAll } from './redis-scopes.js';
import { isAnswerError, redisKeysOf } from './redis-keys.js';

/** What to do while Redis cannot be reached. */
export type RedisFailurePolicy = 'open' | 'closed' | 'local';

/** Options of {@link createRedisLimiter}: the limits of {@link LimiterOptions}, plus Redis. */
export interface RedisLimiterOptions extends Omit<LimiterOptions, 'backend' | 'name'> {
  /** Runs the scripts; see {@link ioredisEvaluator}. */
  readonly redis: RedisEvaluator;
  /** The shared limit's name; every process using the same name and Redis shares its counters. */
  readonly name: string;
  /** Prefix of every Redis key; default `tollgate:limiter`. */
  readonly prefix?: string;
  /**
   * While Redis is unreachable: `open` admits everything, `closed` refuses everything (an
   * `acquire` keeps waiting), `local` applies the same limits in this process only. Default `closed`.
   */
  readonly onUnavailable?: RedisFailurePolicy;
  /** A Redis call slower than this counts as a failure, in ms; default 1,000. */
  readonly commandTimeoutMs?: number;
}

/** The answer of the Redis limiter. */
export interface RedisLimitDecision {
  readonly allowed: boolean;
  readonly retryAfterMs: number;
  /** What remains under each limit of the first scope. */
  readonly remaining: Readonly<Record<string, number>>;
  /** The same per scope, in the order the scopes were given (all zeros from `open` or `closed`). */
  readonly remainingByScope: readonly Readonly<Record<string, number>>[];
  readonly limitedBy?: { readonly scope: number; readonly limit: string };
  readonly lease?: RedisLease;
  /** `redis`, or the policy that answered while Redis was unreachable. */
  readonly source: 'redis' | RedisFailurePolicy;
}

/**
 * A limiter whose state lives in Redis, shared by every process and host: the same limits and
 * answers as {@link Limiter}, atomic through Lua scripts, with Redis's clock.
 */
export class RedisLimiter implements RedisLeaseOwner {
  readonly labels: readonly string[];
  readonly name: string;
  /** @internal */
  readonly spec: Float64Array;
  /** @internal */
  readonly redis: RedisEvaluator;
  private readonly prefix: string;
  /** @internal */
  readonly policy: RedisFailurePolicy;
  /** @internal */
  readonly commandTimeoutMs: number;
  /** @internal */
  readonly queue: WaitQueue;
  /** @internal The local limiter of the `local` policy. */
  readonly local: Limiter | undefined;
  /** @internal */
  readonly clock: LimiterClock;
  private unavailable = false;

  /** @internal */
  constructor(options: RedisLimiterOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
    const rules = normalizeRules(options.limits, options);
    const { redis, name, prefix = 'tollgate:limiter', onUnavailable = 'closed', commandTimeoutMs = 1000, leaseTimeoutMs = 60_000 } = options;
    if (typeof redis?.evaluate !== 'function') throw invalidArgument('redis', 'an object with evaluate(script, keys, args)', redis);
    if (typeof name !== 'string' || name === '') throw invalidArgument('name', 'a non-empty string', name);
    if (!['open', 'closed', 'local'].includes(onUnavailable)) throw invalidArgument('onUnavailable', '"open", "closed" or "local"', onUnavailable);
    if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) throw invalidArgument('commandTimeoutMs', 'a positive number of milliseconds', commandTimeoutMs);
    if (!Number.isFinite(leaseTimeoutMs) || leaseTimeoutMs <= 0) throw invalidArgument('leaseTimeoutMs', 'a positive number of milliseconds', leaseTimeoutMs);

    this.labels = rules.map((rule) => rule.label);
    this.name = name;
    this.spec = encodeSpec(rules, leaseTimeoutMs);
    this.redis = redis;
    this.prefix = prefix;
    this.policy = onUnavailable;
    this.commandTimeoutMs = commandTimeoutMs;
    this.clock = options.clock ?? systemClock;
    this.queue = queueFor(this.clock, options.pollIntervalMs ?? 50);
    const { redis: _redis, name: _name, prefix: _prefix, onUnavailable: _policy, commandTimeoutMs: _timeout, ...limits } = options;
    this.local = onUnavailable === 'local' ? createLimiter(limits) : undefined;
  }

  /** True while the last Redis call failed. */
  get isUnavailable(): boolean {
    return this.unavailable;
  }

  /** @internal The Redis keys of `key`: its state hash and its lease set. */
  keysOf(key: string): [string, string] {
    return redisKeysOf(this.prefix, this.name, key);
  }

  /** @internal Runs a script with the command timeout; reports outages and recoveries. */
  async call(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
    });
    try {
      const result = await Promise.race([this.redis.evaluate(script, keys, args), timeout]);
      if (this.unavailable) {
        this.unavailable = false;
        publish('backend-recovered', () => ({ limiter: this.name, policy: this.policy }));
      }
      return result;
    } catch (error) {
      if (isAnswerError(error)) {
        const reply = String((error as Error).message).split('\n')[0]!.slice(0, 200);
        throw new TollgateError('ERR_LIMITER_BACKEND', `Expected Redis to run the script of limiter ${JSON.stringify(this.name)}, got the error reply ${JSON.stringify(reply)}.`, { cause: error });
      }
      if (!this.unavailable) {
        this.unavailable = true;
        publish('backend-unavailable', () => ({ limiter: this.name, policy: this.policy, error: error instanceof Error ? error.message : String(error) }));
      }
      throw new TollgateError('ERR_LIMITER_UNAVAILABLE', `Expected Redis to answer for limiter ${JSON.stringify(this.name)}, got an error.`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Takes `cost` from `key` if every limit allows it now.
   *
   * @throws {TollgateError} `ERR_COST_EXCEEDS_CAPACITY`, `ERR_INVALID_ARGUMENT`.
   */
  async tryAcquire(key: string, cost?: AcquireCost): Promise<RedisLimitDecision> {
    if (typeof key !== 'string' || key === '') throw invalidArgument('key', 'a non-empty string', key);
    return attemptRedisScopes([{ limiter: this, key }], checkCost(cost));
  }

  /**
   * Waits in fair order (within this process) until `cost` fits, then takes it.
   *
   * @throws {TollgateError} `ERR_LIMIT_TIMEOUT`, `ERR_ABORTED`, `ERR_COST_EXCEEDS_CAPACITY`.
   */
  acquire(key: string, cost?: AcquireCost, options?: AcquireOptions): Promise<RedisLease> {
    if (typeof key !== 'string' || key === '') return Promise.reject(invalidArgument('key', 'a non-empty string', key));
    return redisAcquireAll([{ limiter: this, key }], cost, options);
  }

  /** @internal */
  async settleRemote(key: string, atMs: number, deltaTokens: number): Promise<void> {
    await this.call(SETTLE_SCRIPT, [this.keysOf(key)[0]], [this.labels.length, ...Array.from(this.spec.subarray(1)), atMs, deltaTokens]);
  }

  /** @internal */
  async releaseRemote(key: string, member: string): Promise<boolean> {
    return (await this.call(RELEASE_SCRIPT, [this.keysOf(key)[1]], [member])) === 1;
  }

  /** @internal */
  wake(): void {
    this.queue.wake();
  }
}

/**
 * Builds a limiter shared through Redis by many processes and hosts.
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` naming the bad option.
 * @example
 * const limiter = createRedisLimiter({ redis: ioredisEvaluator(new Redis()), name: 'openai', tokensPerMinute: 90_000, onUnavailable: 'local' });
 * const lease = await limiter.acquire('team:blue', { tokens: 1200 }, { timeoutMs: 5000 });
 */
export function createRedisLimiter(options: RedisLimiterOptions): RedisLimiter {
  return new RedisLimiter(options);
}
