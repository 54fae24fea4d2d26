import { invalidArgument } from '../errors.js';
import type { RedisEvaluator } from '../limiter/redis/redis-evaluator.js';
import type { RouterEngine } from './engine.js';
import { publish } from './events.js';
import { MINUTE_MS } from './fallback-deployment.js';
import { COOL_SCRIPT, SYNC_SCRIPT } from './shared-scripts.js';

/**
 * Cooldowns and per-deployment usage shared by routers in several processes through Redis.
 *
 * Picks never wait on Redis: each router keeps its own state (the mirror) and syncs it with Redis
 * every `syncIntervalMs` in one script call, which stores this process's usage totals of the
 * current and the previous minute (totals, so a repeated or lost sync changes nothing; see
 * `SYNC_SCRIPT`) and reads every deployment's cooldown and the other processes' usage of the
 * current minute. A cooldown this process starts is written at once (write-through), never
 * shortening a longer live one.
 *
 * Staleness: a cooldown started elsewhere is seen here within `syncIntervalMs` plus two Redis
 * round trips; usage counted elsewhere within twice `syncIntervalMs` plus two round trips (one
 * sync there, one here). Meanwhile picks use the last mirrored figures, so a burst across
 * processes can pass an rpm/tpm limit by what they admit in that time.
 */
export interface SharedRouterStateOptions {
  /** Runs the scripts; `ioredisEvaluator(new Redis(...))` adapts ioredis. */
  redis: RedisEvaluator;
  /** Key prefix; routers with the same prefix and deployment ids share state. @default 'tollgate:router' */
  prefix?: string;
  /** Milliseconds between syncs with Redis (10 to 60000). @default 200 */
  syncIntervalMs?: number;
  /** Milliseconds to wait for Redis before a call counts as failed. @default 1000 */
  commandTimeoutMs?: number;
  /**
   * While Redis does not answer: `'local'` routes on this process's state alone; `'closed'` picks
   * nothing (`'none_available'`). Both publish `shared-unavailable`, then `shared-recovered` and
   * resume (usage counted meanwhile and live cooldowns are written) when Redis answers again.
   * @default 'local'
   */
  onUnavailable?: 'local' | 'closed';
}

/** The router a shared state mirrors. */
export interface SharedTarget {
  readonly name: string;
  readonly engine: RouterEngine;
  readonly handle: number;
  readonly clock: () => number;
  /** Deployment handles and ids. */
  readonly deployments: readonly (readonly [handle: number, id: string])[];
}

const USAGE_LIFETIME_MS = 2 * MINUTE_MS + 5_000;
/** A cooldown read back from Redis counts as new only when it ends this much later than known. */
const SAME_COOLDOWN_MS = 25;

/** Syncs one router's cooldowns and usage with Redis; built by `createRouter({ shared })`. */
export class RedisRouterState {
  readonly policy: 'local' | 'closed';
  private readonly redis: RedisEvaluator;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly slots = new Map<number, number>();
  private readonly knownUntil: Float64Array;
  private readonly unsent = new Map<number, number>();
  private unavailable = false;
  private syncing: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  /** Names this process's fields in Redis (the same for every thread joined to a native router). */
  private readonly instance: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly target: SharedTarget, options: SharedRouterStateOptions) {
    if (typeof options?.redis?.evaluate !== 'function') throw invalidArgument('shared.redis', 'an object with an evaluate function', options?.redis);
    const { prefix = 'tollgate:router', syncIntervalMs = 200, commandTimeoutMs = 1000, onUnavailable = 'local' } = options;
    if (typeof prefix !== 'string' || prefix === '') throw invalidArgument('shared.prefix', 'a non-empty string', prefix);
    if (typeof syncIntervalMs !== 'number' || !(syncIntervalMs >= 10 && syncIntervalMs <= 60_000))
      throw invalidArgument('shared.syncIntervalMs', 'a number from 10 to 60000', syncIntervalMs);
    if (typeof commandTimeoutMs !== 'number' || !(commandTimeoutMs > 0 && Number.isFinite(commandTimeoutMs)))
      throw invalidArgument('shared.commandTimeoutMs', 'a positive finite number', commandTimeoutMs);
    if (onUnavailable !== 'local' && onUnavailable !== 'closed') throw invalidArgument('shared.onUnavailable', '"local" or "closed"', onUnavailable);
    this.redis = options.redis;
    this.prefix = `{${prefix}}`;
    this.timeoutMs = commandTimeoutMs;
    this.policy = onUnavailable;
    target.deployments.forEach(([handle], slot) => this.slots.set(handle, slot));
    this.knownUntil = new Float64Array(target.deployments.length);
    this.instance = target.engine.instance(target.handle);
    this.timer = setInterval(() => void this.sync(), syncIntervalMs);
    this.timer.unref();
    void this.sync();
  }

  /** True while the last Redis call failed. */
  get isUnavailable(): boolean {
    return this.unavailable;
  }

  /** True when picks must find nothing: Redis is unavailable and the policy is `'closed'`. */
  get blocksPicks(): boolean {
    return this.unavailable && this.policy === 'closed';
  }

  private cooldownKey(id: string): string {
    return `${this.prefix}:cooldown:${id}`;
  }

  private usageKey(id: string, minute: number): string {
    return `${this.prefix}:usage:${minute}:${id}`;
  }

  /** Writes a cooldown this router started (ends at `untilMs`) to Redis. */
  noteCooldown(deployment: number, untilMs: number): void {
    const slot = this.slots.get(deployment);
    if (slot === undefined) return;
    this.knownUntil[slot] = Math.max(this.knownUntil[slot]!, untilMs);
    this.unsent.set(slot, Math.max(this.unsent.get(slot) ?? 0, untilMs));
    void this.pushCooldowns().catch(() => undefined);
  }

  private async pushCooldowns(): Promise<void> {
    for (const [slot, untilMs] of [...this.unsent]) {
      const [handle, id] = this.target.deployments[slot]!;
      const leftMs = Math.ceil(untilMs - this.target.clock());
      if (leftMs >= 1) {
        const answer = Number(await this.call(COOL_SCRIPT, [this.cooldownKey(id)], [leftMs]));
        this.adopt(slot, handle, answer);
      }
      if (this.unsent.get(slot) === untilMs) this.unsent.delete(slot);
    }
  }

  /** Applies a cooldown with `leftMs` left in Redis when it ends later than this router knew. */
  private adopt(slot: number, handle: number, leftMs: number): void {
    if (!(leftMs > 0)) return;
    const untilMs = this.target.clock() + leftMs;
    if (untilMs <= this.knownUntil[slot]! + SAME_COOLDOWN_MS) return;
    this.knownUntil[slot] = untilMs;
    const grown = this.target.engine.coolUntil(this.target.handle, handle, untilMs);
    if (grown > 0) publish('cooldown', () => ({ router: this.target.name, deployment: this.target.deployments[slot]![1], untilMs, source: 'redis' }));
  }

  /**
   * Syncs with Redis now (sends unsent cooldowns and this process's usage, reads everyone's);
   * resolves when done, never rejects (a failure marks Redis unavailable). A call made while a
   * sync runs waits for one more, which sends what was counted up to the call.
   */
  sync(): Promise<void> {
    if (this.syncing !== undefined) {
      // One already runs with figures taken before this call: one more follows it, shared by
      // every call made meanwhile, so what was counted before this call is sent.
      this.following ??= this.syncing.then(() => {
        this.following = undefined;
        return this.sync();
      });
      return this.following;
    }
    this.syncing = this.syncOnce()
      .catch(() => undefined)
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    if (this.unsent.size > 0) await this.pushCooldowns();
    const { deployments, engine, handle: router, clock } = this.target;
    const minute = Math.floor(clock() / MINUTE_MS);
    // Totals of every thread's calls, from the engine: sent again whole each time, so a lost or
    // repeated sync does not change what Redis counts.
    const keys: string[] = [];
    const args: (string | number)[] = [this.instance, USAGE_LIFETIME_MS];
    deployments.forEach(([handle, id]) => {
      keys.push(this.cooldownKey(id), this.usageKey(id, minute), this.usageKey(id, minute - 1));
      args.push(...engine.report(router, handle, minute));
    });
    const answer = (await this.call(SYNC_SCRIPT, keys, args)) as unknown[];
    deployments.forEach(([handle], slot) => {
      this.adopt(slot, handle, Number(answer[3 * slot]));
      engine.setSharedUsage(router, handle, minute, Number(answer[3 * slot + 1]), Number(answer[3 * slot + 2]));
    });
  }

  private async call(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const result = await Promise.race([this.redis.evaluate(script, keys, args), timeout]);
      if (this.unavailable) {
        this.unavailable = false;
        publish('sharedRecovered', () => ({ router: this.target.name, policy: this.policy }));
      }
      return result;
    } catch (error) {
      if (!this.unavailable) {
        this.unavailable = true;
        const message = (error instanceof Error ? error.message : String(error)).slice(0, 200);
        publish('sharedUnavailable', () => ({ router: this.target.name, policy: this.policy, error: message }));
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops syncing (the router keeps its last mirrored state). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
