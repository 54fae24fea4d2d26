import { TollgateError, invalidArgument } from '../errors.js';
import { acquireScopes, attemptScopes, type AcquireOptions, type LimiterScope } from './acquire-scopes.js';
import { chooseStore } from './choose-store.js';
import { systemClock, type LimiterClock } from './clock.js';
import { checkCost, type AcquireCost } from './cost.js';
import { SingleScopeDecision, type LimitDecision } from './decision.js';
import { admitChannel, publish, rejectChannel } from './events.js';
import { Lease, type LeaseOwner } from './lease.js';
import { encodeSpec, normalizeRules, type LimitRule, type LimitShorthands } from './limit-rules.js';
import type { LimitBatch } from './limit-batch.js';
import { LimiterKey } from './limiter-key.js';
import { HEADER, NAMED_HANDLE, OUTCOME, PACKED_INPUT, SCOPE_HEADER, type LimiterStore } from './store.js';
import { tryAcquireMany } from './try-many.js';
import { queueFor, type WaitQueue } from './wait-queue.js';

/** Options of {@link createLimiter}. */
export interface LimiterOptions extends LimitShorthands {
  /** Limit rules, in order; the shorthands add more after these. At least one rule in all. */
  readonly limits?: readonly LimitRule[];
  /**
   * A process-wide name: with the native backend, every worker thread that creates a limiter of
   * this name and the same limits shares its counters exactly. Unnamed limiters are private.
   */
  readonly name?: string;
  /** How long an unreleased lease holds its in-flight slot, in ms; default 60,000. */
  readonly leaseTimeoutMs?: number;
  /** Time and timers; default wall-clock time. Threads sharing a limiter must share the epoch. */
  readonly clock?: LimiterClock;
  /** `native` (shared by worker threads) or `fallback` (pure TS, per thread); default `TOLLGATE_BACKEND`, else native if it loads. */
  readonly backend?: 'native' | 'fallback';
  /** How often a waiting `acquire` looks again for releases made by other threads, in ms; default 50. */
  readonly pollIntervalMs?: number;
}

/** Counters of a limiter (for a named native limiter: of all threads together). */
export interface LimiterStats {
  readonly keys: number;
  readonly leases: number;
  readonly admitted: number;
  readonly refused: number;
  readonly evicted: number;
  readonly leasesExpired: number;
  /** Bytes held by the key table (arrays, names and map), allocator overhead not included. */
  readonly approximateBytes: number;
  /** Acquires of this thread waiting in the queue. */
  readonly waiting: number;
}

/**
 * A rate limiter: every key obeys every limit. Create with {@link createLimiter}.
 */
export class Limiter implements LeaseOwner {
  /** Limit labels, in rule order, as used in `remaining`. */
  readonly labels: readonly string[];
  /** Each limit's whole capacity (window limit, bucket capacity, in-flight max), in rule order. */
  readonly capacities: readonly number[];
  /** @internal What each limit counts, in rule order (`inFlight` counts requests). */
  readonly measures: readonly ('requests' | 'tokens')[];
  /** @internal Per measure, the smallest capacity among the limits counting it, and that limit's index (-1: none). */
  readonly tightest: Readonly<Record<'requests' | 'tokens', readonly [capacity: number, rule: number]>>;
  /** @internal */
  readonly store: LimiterStore;
  /** @internal */
  readonly id: number;
  /** @internal */
  readonly clock: LimiterClock;
  /** @internal */
  readonly queue: WaitQueue;
  readonly name: string;
  #closed = false;
  /** Handles of recently used string keys, so checking a string key crosses with numbers only. */
  readonly #handles = new Map<string, number>();

  /** @internal */
  constructor(options: LimiterOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
    const rules = normalizeRules(options.limits, options);
    const leaseTimeoutMs = options.leaseTimeoutMs ?? 60_000;
    if (!Number.isFinite(leaseTimeoutMs) || leaseTimeoutMs <= 0) throw invalidArgument('leaseTimeoutMs', 'a positive number of milliseconds', leaseTimeoutMs);
    const pollIntervalMs = options.pollIntervalMs ?? 50;
    if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 1) throw invalidArgument('pollIntervalMs', 'a number of milliseconds >= 1', pollIntervalMs);
    const name = options.name ?? '';
    if (typeof name !== 'string') throw invalidArgument('name', 'a string', name);
    if (options.backend !== undefined && options.backend !== 'native' && options.backend !== 'fallback') {
      throw invalidArgument('backend', '"native" or "fallback"', options.backend);
    }

    this.labels = rules.map((rule) => rule.label);
    this.capacities = rules.map(({ rule }) => (rule.type === 'window' ? rule.limit : rule.type === 'bucket' ? rule.capacity : rule.max));
    this.measures = rules.map(({ rule }) => (rule.type === 'inFlight' ? 'requests' : rule.measure));
    this.tightest = { requests: tightestLimit(this, 'requests'), tokens: tightestLimit(this, 'tokens') };
    this.name = name;
    this.clock = options.clock ?? systemClock;
    this.store = chooseStore(options.backend);
    this.id = this.store.create(name, encodeSpec(rules, leaseTimeoutMs));
    this.queue = queueFor(this.clock, pollIntervalMs);
  }

  /** `native` or `fallback`. */
  get backend(): 'native' | 'fallback' {
    return this.store.backend;
  }

  /**
   * Resolves `name` to a handle once; pass the result instead of the string on hot paths.
   *
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for an empty or non-string name.
   */
  key(name: string): LimiterKey {
    if (typeof name !== 'string' || name === '') throw invalidArgument('key', 'a non-empty string', name);
    this.assertOpen();
    return new LimiterKey(name, this.store.key(this.id, name, this.clock.now()), this.id);
  }

  /**
   * Takes `cost` from `key` if every limit allows it now; answers at once and never waits.
   * A `tryAcquire` does not queue, so it may pass `acquire` calls that are waiting.
   *
   * @throws {TollgateError} `ERR_COST_EXCEEDS_CAPACITY` when the cost is larger than a limit's
   *   whole capacity; `ERR_INVALID_ARGUMENT` for a bad key or cost; `ERR_LIMITER_CLOSED`.
   * @example
   * const limiter = createLimiter({ requestsPerMinute: 60, tokensPerMinute: 90_000 });
   * const decision = limiter.tryAcquire('user:42', { tokens: 1200 });
   * if (!decision.allowed) await setTimeout(decision.retryAfterMs); // from node:timers/promises
   */
  tryAcquire(key: string | LimiterKey, cost?: AcquireCost): LimitDecision {
    const { requests, tokens } = cost === undefined ? DEFAULT_COST : checkCost(cost);
    const store = this.store;
    const out = store.output;
    // With wall-clock time the store reads the clock itself (NaN), saving a `Date.now()` here.
    const now = this.clock === systemClock ? NaN : this.clock.now();
    let outcome: number = OUTCOME.staleKey;
    const handle = key instanceof LimiterKey ? (key.limiterId === this.id ? key.handle : undefined) : this.#handles.get(key);
    if (handle !== undefined) {
      // Numbers only, written where the store reads them: the crossing converts no argument.
      out[PACKED_INPUT] = this.id;
      out[PACKED_INPUT + 1] = handle;
      out[PACKED_INPUT + 2] = requests;
      out[PACKED_INPUT + 3] = tokens;
      out[PACKED_INPUT + 4] = now;
      outcome = store.tryPacked();
    }
    if (outcome === OUTCOME.staleKey && typeof key === 'string' && key !== '' && !this.#closed) {
      outcome = store.tryNamed(this.id, key, requests, tokens, now);
      if (outcome === OUTCOME.admitted || outcome === OUTCOME.refused) this.rememberHandle(key, out[NAMED_HANDLE]!);
    }

    if (outcome === OUTCOME.admitted) {
      if (admitChannel.hasSubscribers) admitChannel.publish({ limiter: this.name, keys: [keyName(key)], requests, tokens, waitedMs: 0 });
      return new SingleScopeDecision(true, 0, this.labels, out, HEADER + SCOPE_HEADER, undefined, this, key, tokens);
    }
    if (outcome === OUTCOME.refused) {
      const limitedBy = { scope: 0, limit: this.labels[out[3]!]! };
      if (rejectChannel.hasSubscribers) rejectChannel.publish({ limiter: this.name, keys: [keyName(key)], retryAfterMs: out[1], limit: limitedBy.limit });
      return new SingleScopeDecision(false, out[1]!, this.labels, out, HEADER + SCOPE_HEADER, limitedBy, undefined, key, 0);
    }
    // Stale handles, bad keys, closed limiters and impossible costs take the general path,
    // which re-resolves keys and raises the typed errors.
    const decision = attemptScopes([{ limiter: this, key }], { requests, tokens });
    if (!decision.allowed) publish('reject', () => ({ limiter: this.name, keys: [keyName(key)], retryAfterMs: decision.retryAfterMs, limit: decision.limitedBy?.limit }));
    return decision;
  }

  /**
   * Many independent checks in one call (one crossing of the native boundary for the whole
   * batch): check `i` takes `costs[i]` (or `costs` for every check; default one request) from
   * `keys[i]`. The checks run in order at one time, each as a `tryAcquire` would: a refused check
   * takes nothing and does not undo the others, and a key named twice sees what the earlier
   * check took. Answers come back in typed arrays; see {@link LimitBatch}. Nothing is taken when
   * the input is bad. At most 100,000 keys per call.
   *
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` naming `keys`, `keys[i]`, `costs` or
   *   `costs[i]...` for a bad key, a cost array of another length, or a bad cost;
   *   `ERR_COST_EXCEEDS_CAPACITY` (before anything is taken) when a cost is larger than a limit's
   *   whole capacity; `ERR_LIMITER_CLOSED` (checks before the closing are kept when another
   *   thread closes a shared limiter mid-batch).
   * @example
   * const handles = users.map((user) => limiter.key(user));
   * const batch = limiter.tryAcquireMany(handles, { tokens: 500 });
   * for (let i = 0; i < batch.size; i++) if (!batch.allowed[i]) defer(users[i], batch.retryAfterMs[i]);
   */
  tryAcquireMany(keys: readonly (string | LimiterKey)[], costs?: AcquireCost | readonly AcquireCost[]): LimitBatch {
    return tryAcquireMany(this, keys, costs);
  }

  /**
   * Waits in fair order (priority, then arrival) until `cost` fits, then takes it.
   *
   * @throws {TollgateError} `ERR_LIMIT_TIMEOUT` after `timeoutMs`; `ERR_ABORTED` when `signal`
   *   aborts; `ERR_COST_EXCEEDS_CAPACITY` at once when the cost can never fit.
   */
  acquire(key: string | LimiterKey, cost?: AcquireCost, options?: AcquireOptions): Promise<Lease> {
    return acquireScopes([{ limiter: this, key }], cost, options);
  }

  /** Evicts every idle key now (keys also go a few at a time during other calls); returns how many. */
  evictIdle(): number {
    this.assertOpen();
    const evicted = this.store.evictIdle(this.id, this.clock.now());
    if (evicted > 0) publish('evict', () => ({ limiter: this.name, evicted }));
    return evicted;
  }

  /** Current counters. */
  stats(): LimiterStats {
    const out = new Float64Array(7);
    this.store.stats(this.id, out);
    const [keys, leases, admitted, refused, evicted, leasesExpired, approximateBytes] = out as unknown as number[];
    return { keys: keys!, leases: leases!, admitted: admitted!, refused: refused!, evicted: evicted!, leasesExpired: leasesExpired!, approximateBytes: approximateBytes!, waiting: this.queue.size };
  }

  /** Frees every key of this limiter, for every thread using it; later calls throw. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handles.clear();
    this.store.close(this.id, this.name);
  }

  /** @internal */
  assertOpen(): void {
    if (this.#closed) throw new TollgateError('ERR_LIMITER_CLOSED', `The limiter ${JSON.stringify(this.name)} is closed.`);
  }

  /** @internal The handle last seen for the string key `name`, if still remembered. */
  handleOf(name: string): number | undefined {
    return this.#handles.get(name);
  }

  /** @internal Remembers the handle of a string key (a bounded cache, emptied when full). */
  rememberHandle(name: string, handle: number): void {
    if (this.#handles.size >= HANDLE_CACHE_SIZE) this.#handles.clear();
    this.#handles.set(name, handle);
  }

  /** @internal */
  settleKey(key: LimiterKey | string, atMs: number, deltaTokens: number): void {
    if (this.#closed) return;
    const now = this.clock.now();
    const handle = typeof key === 'string' ? this.store.key(this.id, key, now) : key.handle;
    if (this.store.settle(this.id, handle, atMs, deltaTokens, now) || deltaTokens <= 0) return;
    const fresh = this.store.key(this.id, keyName(key), now);
    if (typeof key !== 'string') key.handle = fresh;
    this.store.settle(this.id, fresh, now, deltaTokens, now);
  }

  /** @internal */
  releaseLease(lease: number): boolean {
    return !this.#closed && this.store.release(this.id, lease);
  }

  /** @internal */
  wake(): void {
    this.queue.wake();
  }
}

/** The smallest capacity among `limiter`'s limits that count `measure`, and that limit's index. */
function tightestLimit(limiter: Pick<Limiter, 'measures' | 'capacities'>, measure: 'requests' | 'tokens'): [number, number] {
  let capacity = Infinity;
  let found = -1;
  limiter.measures.forEach((counted, rule) => {
    if (counted === measure && limiter.capacities[rule]! < capacity) [capacity, found] = [limiter.capacities[rule]!, rule];
  });
  return [capacity, found];
}

const keyName = (key: string | LimiterKey): string => (typeof key === 'string' ? key : key.name);
const DEFAULT_COST = { requests: 1, tokens: 0 } as const;
/** Most string keys whose handles a limiter remembers; a stale one is resolved again by name. */
const HANDLE_CACHE_SIZE = 4096;

/**
 * Builds a limiter.
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` naming the field for a bad limit, unit or
 *   option; `ERR_LIMITER_CONFLICT` when `name` is taken by a limiter with other limits.
 * @example
 * const perUser = createLimiter({ requestsPerMinute: 60, tokensPerMinute: 90_000, maxInFlight: 4 });
 * const lease = await perUser.acquire('user:42', { tokens: 1500 }, { timeoutMs: 10_000 });
 * try { const usage = await callModel(); lease.settle({ tokens: usage.total_tokens }); }
 * finally { lease.release(); }
 */
export function createLimiter(options: LimiterOptions): Limiter {
  return new Limiter(options);
}

export type { LimiterScope };
