import { randomUUID } from 'node:crypto';
import { TollgateError, invalidArgument } from '../../errors.js';
import { abortError } from '../../tokenizer/abort.js';
import { systemClock } from '../clock.js';
import { checkCost, type AcquireCost, type CheckedCost } from '../cost.js';
import { publish } from '../events.js';
import { encodeSpec, normalizeRules } from '../limit-rules.js';
import { createLimiter, type Limiter, type LimiterOptions } from '../limiter.js';
import type { AcquireOptions } from '../acquire-scopes.js';
import { queueFor, type AttemptResult, type WaitQueue } from '../wait-queue.js';
import { RedisLease, type RedisLeaseOwner } from './redis-lease.js';
import { ACQUIRE_SCRIPT, RELEASE_SCRIPT, SETTLE_SCRIPT } from './redis-scripts.js';
import type { RedisEvaluator } from './redis-evaluator.js';

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
  readonly remaining: Readonly<Record<string, number>>;
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
  private readonly spec: Float64Array;
  private readonly redis: RedisEvaluator;
  private readonly prefix: string;
  private readonly policy: RedisFailurePolicy;
  private readonly commandTimeoutMs: number;
  private readonly queue: WaitQueue;
  private readonly local: Limiter | undefined;
  private readonly clock;
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

  private keysOf(key: string): [string, string] {
    const base = `${this.prefix}:${this.name}:{${key}}`;
    return [`${base}:state`, `${base}:leases`];
  }

  private async call(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
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
    return this.attempt(key, checkCost(cost));
  }

  private async attempt(key: string, cost: CheckedCost): Promise<RedisLimitDecision> {
    const member = randomUUID();
    const [stateKey, leasesKey] = this.keysOf(key);
    const rules = Array.from(this.spec.subarray(1));
    const args = [cost.requests, cost.tokens, member, 1, this.labels.length, this.spec[0]!, ...rules];
    let reply: number[];
    try {
      reply = (await this.call(ACQUIRE_SCRIPT, [stateKey, leasesKey], args)) as number[];
    } catch (error) {
      return this.fallback(key, cost, error);
    }
    const [outcome, retryAfterMs, scope, rule, atMs] = reply as [number, number, number, number, number];
    if (outcome === -1) {
      const label = this.labels[rule]!;
      const amount = label.startsWith('tokens') ? cost.tokens : cost.requests;
      throw new TollgateError('ERR_COST_EXCEEDS_CAPACITY', `Expected the cost to fit within \`${label}\` of limiter ${JSON.stringify(this.name)}, got ${amount}.`, { field: label, value: String(amount) });
    }
    const remaining: Record<string, number> = {};
    this.labels.forEach((label, index) => (remaining[label] = Number(reply[5 + index])));
    if (outcome === 1) {
      const hasInFlight = this.labels.includes('inFlight');
      const lease = new RedisLease(this, key, atMs, hasInFlight ? `${member}:${cost.requests}` : undefined, cost.tokens);
      return { allowed: true, retryAfterMs: 0, remaining, lease, source: 'redis' };
    }
    return { allowed: false, retryAfterMs, remaining, limitedBy: { scope, limit: this.labels[rule]! }, source: 'redis' };
  }

  private fallback(key: string, cost: CheckedCost, error: unknown): RedisLimitDecision {
    const empty = Object.fromEntries(this.labels.map((label) => [label, 0]));
    if (this.policy === 'open') return { allowed: true, retryAfterMs: 0, remaining: empty, lease: new RedisLease(undefined, key, 0, undefined, cost.tokens), source: 'open' };
    if (this.policy === 'closed') return { allowed: false, retryAfterMs: this.commandTimeoutMs, remaining: empty, source: 'closed' };
    const decision = this.local!.tryAcquire(key, cost);
    const lease = decision.lease === undefined ? undefined : new RedisLease(undefined, key, 0, undefined, cost.tokens, decision.lease);
    void error;
    return { ...decision, lease, source: 'local' };
  }

  /**
   * Waits in fair order (within this process) until `cost` fits, then takes it.
   *
   * @throws {TollgateError} `ERR_LIMIT_TIMEOUT`, `ERR_ABORTED`, `ERR_COST_EXCEEDS_CAPACITY`.
   */
  acquire(key: string, cost?: AcquireCost, options: AcquireOptions = {}): Promise<RedisLease> {
    if (typeof key !== 'string' || key === '') return Promise.reject(invalidArgument('key', 'a non-empty string', key));
    const checked = checkCost(cost);
    const { signal, timeoutMs = Infinity, priority = 0 } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    return new Promise<RedisLease>((resolve, reject) => {
      let timer: unknown;
      const cleanup = (): void => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const withdraw = this.queue.add<RedisLease>({
        priority,
        scopes: [`redis\u0000${this.name}\u0000${key}`],
        attempt: async (): Promise<AttemptResult<RedisLease>> => {
          try {
            const decision = await this.attempt(key, checked);
            return decision.allowed ? { kind: 'admitted', value: decision.lease! } : { kind: 'wait', retryAfterMs: decision.retryAfterMs };
          } catch (error) {
            return { kind: 'error', error };
          }
        },
        resolve: (lease) => (cleanup(), resolve(lease)),
        reject: (error) => (cleanup(), reject(error)),
        undo: (lease) => void lease.settle({ tokens: 0 }).then(() => lease.release()).catch(() => undefined),
      });
      const giveUp = (error: TollgateError): void => {
        if (withdraw()) {
          cleanup();
          reject(error);
        }
      };
      const onAbort = (): void => giveUp(abortError(signal!.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(timeoutMs)) {
        timer = this.clock.setTimeout(() => giveUp(new TollgateError('ERR_LIMIT_TIMEOUT', `Expected the cost to fit within \`timeoutMs\` (${timeoutMs} ms), got no room in time.`, { field: 'timeoutMs' })), timeoutMs);
      }
    });
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
