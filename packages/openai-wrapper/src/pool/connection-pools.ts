import { Dispatcher, Pool } from 'undici';
import { OriginHealth } from './origin-health.js';
import { dispatcherFetch } from './pool-fetch.js';
import { resolvePoolOptions, type ConnectionPoolsOptions, type ResolvedPoolOptions } from './pool-options.js';
import { RequestSlots } from './request-slots.js';
import { trackHandler } from './tracked-handler.js';

/** Connection counts of one origin (undici's pool stats) and its health. */
export interface OriginStats {
  readonly origin: string;
  /** Open connections. */
  readonly connected: number;
  /** Open connections with nothing to do. */
  readonly free: number;
  /** Requests queued inside the origin's pool. */
  readonly pending: number;
  /** Requests being sent or answered. */
  readonly running: number;
  readonly healthy: boolean;
}

/** Stats of all pools: per origin, totals, and requests waiting for the total connection cap. */
export interface PoolStats {
  readonly origins: OriginStats[];
  readonly connected: number;
  readonly free: number;
  readonly pending: number;
  readonly running: number;
  /** Requests waiting because `maxTotalConnections` requests are running. */
  readonly waitingForTotalCap: number;
}

/** Most origin spellings remembered before the lookup cache starts over. */
const MAX_ORIGIN_SPELLINGS = 1024;

/** The pool and health of one origin. */
interface OriginEntry {
  readonly origin: string;
  readonly pool: Pool;
  readonly health: OriginHealth;
}

/**
 * One undici `Pool` per origin behind one dispatcher, with a cap on requests running in total,
 * passive health per origin, and graceful close. Hand `fetch` to the `openai` client.
 *
 * Per request it does one Map lookup by the origin string undici already gives, and wraps the
 * handler in one small object (see {@link trackHandler}); the URL parse happens once per origin.
 */
export class ConnectionPools extends Dispatcher {
  readonly settings: ResolvedPoolOptions;
  /** Entries by canonical origin (`new URL(x).origin`). */
  private readonly entries = new Map<string, OriginEntry>();
  /** Entries by the origin string as callers spell it (`fetch` passes the canonical one). */
  private readonly byKey = new Map<string, OriginEntry>();
  private readonly slots: RequestSlots;
  private closing = false;

  /**
   * A `fetch` that sends through these pools; pass it as `new OpenAI({ fetch })`. String and byte
   * bodies go straight to the pools (see {@link dispatcherFetch}), the rest through undici's `fetch`.
   */
  readonly fetch: typeof globalThis.fetch;

  constructor(options: ConnectionPoolsOptions = {}) {
    super();
    this.settings = resolvePoolOptions(options);
    this.slots = new RequestSlots(this.settings.maxTotalConnections);
    this.fetch = dispatcherFetch(this, !this.settings.fullFetch) as unknown as typeof globalThis.fetch;
  }

  /** The entry of `key` (an origin or any URL of it), built on first use. */
  private entryFor(key: string): OriginEntry {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const origin = new URL(key).origin;
    let entry = this.entries.get(origin);
    if (entry === undefined) {
      entry = { origin, pool: this.buildPool(origin), health: new OriginHealth(origin, this.settings.health, (path) => this.probe(origin, path)) };
      this.entries.set(origin, entry);
    }
    // Bounded: callers spelling origins in ever new ways must not grow this without end.
    if (this.byKey.size >= MAX_ORIGIN_SPELLINGS) this.byKey.clear();
    this.byKey.set(key, entry);
    return entry;
  }

  private buildPool(origin: string): Pool {
    const settings = this.settings;
    return new Pool(origin, {
      connections: settings.connectionsPerOrigin,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      keepAliveMaxTimeout: settings.keepAliveTimeoutMs,
      maxRequestsPerClient: settings.maxRequestsPerConnection,
      clientTtl: settings.maxConnectionAgeMs ?? null,
      connectTimeout: settings.connectTimeoutMs,
      headersTimeout: settings.headersTimeoutMs,
      pipelining: 1,
    });
  }

  private async probe(origin: string, path: string): Promise<boolean> {
    const response = await this.entryFor(origin).pool.request({ method: 'GET', path, headersTimeout: this.settings.connectTimeoutMs });
    await response.body.dump();
    return response.statusCode < 500 && response.statusCode !== 429;
  }

  /** True unless passive health (or a failed probe) marked `origin` unhealthy. Accepts any URL of the origin. */
  isHealthy(url: string): boolean {
    const entry = this.byKey.get(url) ?? this.entries.get(new URL(url).origin);
    return entry?.health.healthy ?? true;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closing) throw Object.assign(new Error('The connection pools are closed.'), { code: 'UND_ERR_CLOSED' });
    const origin = options.origin;
    const entry = this.entryFor(typeof origin === 'string' ? origin : String(origin));
    this.slots.send(entry.pool, options, trackHandler(handler, entry.health, this.slots));
    return true;
  }

  /** Connection counts per origin and in total. */
  stats(): PoolStats {
    const origins: OriginStats[] = [...this.entries.values()].map(({ origin, pool, health }) => {
      const { connected, free, pending, running } = pool.stats;
      return { origin, connected, free, pending, running, healthy: health.healthy };
    });
    const sum = (key: 'connected' | 'free' | 'pending' | 'running') => origins.reduce((total, entry) => total + entry[key], 0);
    return {
      origins,
      connected: sum('connected'),
      free: sum('free'),
      pending: sum('pending'),
      running: sum('running'),
      waitingForTotalCap: this.slots.waiting,
    };
  }

  /** Refuses new requests, lets running and waiting ones finish, then closes every connection. */
  override async close(): Promise<void> {
    this.closing = true;
    await this.slots.whenIdle();
    for (const { health } of this.entries.values()) health.stop();
    await Promise.all([...this.entries.values()].map(({ pool }) => pool.close()));
  }

  /** Aborts everything now: running requests and those waiting for the total cap fail. */
  override async destroy(): Promise<void> {
    this.closing = true;
    for (const { health } of this.entries.values()) health.stop();
    // A request waiting for the total cap is sent when a running one fails, and fails at once.
    await Promise.all([...this.entries.values()].map(({ pool }) => pool.destroy()));
  }
}

/**
 * Builds the connection pools.
 * @throws {TollgateOpenAIError} `ERR_INVALID_ARGUMENT` for a bad option (the message names it).
 * @example
 * ```ts
 * const pools = createConnectionPools({ connectionsPerOrigin: 32, health: { probePath: '/v1/models' } });
 * const client = new OpenAI({ baseURL, apiKey, fetch: pools.fetch });
 * ```
 */
export function createConnectionPools(options: ConnectionPoolsOptions = {}): ConnectionPools {
  return new ConnectionPools(options);
}
