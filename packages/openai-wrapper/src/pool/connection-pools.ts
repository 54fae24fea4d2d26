import { Dispatcher, Pool, fetch as undiciFetch } from 'undici';
import { OriginHealth, type RequestResult } from './origin-health.js';
import { resolvePoolOptions, type ConnectionPoolsOptions, type ResolvedPoolOptions } from './pool-options.js';

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

const TERMINAL = new Set(['onComplete', 'onError', 'onResponseEnd', 'onResponseError']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * One undici `Pool` per origin behind one dispatcher, with a cap on requests running in total,
 * passive health per origin, and graceful close. Hand `fetch` to the `openai` client.
 */
export class ConnectionPools extends Dispatcher {
  readonly settings: ResolvedPoolOptions;
  private readonly pools = new Map<string, Pool>();
  private readonly health = new Map<string, OriginHealth>();
  private readonly waiting: (() => void)[] = [];
  private runningTotal = 0;
  private closing = false;
  private idle: (() => void) | undefined;

  constructor(options: ConnectionPoolsOptions = {}) {
    super();
    this.settings = resolvePoolOptions(options);
  }

  /** A `fetch` that sends through these pools; pass it as `new OpenAI({ fetch })`. */
  readonly fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher: this })) as unknown as typeof globalThis.fetch;

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      const settings = this.settings;
      pool = new Pool(origin, {
        connections: settings.connectionsPerOrigin,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        keepAliveMaxTimeout: settings.keepAliveTimeoutMs,
        maxRequestsPerClient: settings.maxRequestsPerConnection,
        clientTtl: settings.maxConnectionAgeMs ?? null,
        connectTimeout: settings.connectTimeoutMs,
        headersTimeout: settings.headersTimeoutMs,
        pipelining: 1,
      });
      this.pools.set(origin, pool);
      this.health.set(origin, new OriginHealth(origin, settings.health, (path) => this.probe(origin, path)));
    }
    return pool;
  }

  private async probe(origin: string, path: string): Promise<boolean> {
    const response = await this.poolFor(origin).request({ method: 'GET', path, headersTimeout: this.settings.connectTimeoutMs });
    await response.body.dump();
    return response.statusCode < 500 && response.statusCode !== 429;
  }

  /** True unless passive health (or a failed probe) marked `origin` unhealthy. Accepts any URL of the origin. */
  isHealthy(url: string): boolean {
    return this.health.get(new URL(url).origin)?.healthy ?? true;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closing) throw Object.assign(new Error('The connection pools are closed.'), { code: 'UND_ERR_CLOSED' });
    const origin = new URL(String(options.origin)).origin;
    const pool = this.poolFor(origin);
    const health = this.health.get(origin)!;
    const start = () => {
      this.runningTotal += 1;
      pool.dispatch(options, this.track(handler, health));
    };
    if (this.runningTotal < this.settings.maxTotalConnections) start();
    else this.waiting.push(start);
    return true;
  }

  /** Wraps `handler` so the end of the request (either handler style) frees a slot once and feeds health. */
  private track(handler: Dispatcher.DispatchHandler, health: OriginHealth): Dispatcher.DispatchHandler {
    let status = 0;
    let done = false;
    const finish = (result: RequestResult) => {
      if (done) return;
      done = true;
      health.record(result);
      this.runningTotal -= 1;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else if (this.runningTotal === 0) this.idle?.();
    };
    return new Proxy(handler, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (property === 'onHeaders') return (code: number, ...rest: unknown[]) => ((status = code), value.call(target, code, ...rest));
        if (property === 'onResponseStart') return (controller: unknown, code: number, ...rest: unknown[]) => ((status = code), value.call(target, controller, code, ...rest));
        if (typeof property !== 'string' || !TERMINAL.has(property)) return value.bind(target);
        return (...args: unknown[]) => {
          const isError = property === 'onError' || property === 'onResponseError';
          const error = (isError ? args[args.length - 1] : undefined) as { code?: string } | undefined;
          const result: RequestResult = isError ? (TIMEOUT_CODES.has(error?.code ?? '') ? 'timeout' : 'error') : status >= 500 ? 'error' : 'ok';
          finish(result);
          return value.apply(target, args);
        };
      },
    });
  }

  /** Connection counts per origin and in total. */
  stats(): PoolStats {
    const origins: OriginStats[] = [...this.pools].map(([origin, pool]) => {
      const { connected, free, pending, running } = pool.stats;
      return { origin, connected, free, pending, running, healthy: this.health.get(origin)!.healthy };
    });
    const sum = (key: 'connected' | 'free' | 'pending' | 'running') => origins.reduce((total, entry) => total + entry[key], 0);
    return {
      origins,
      connected: sum('connected'),
      free: sum('free'),
      pending: sum('pending'),
      running: sum('running'),
      waitingForTotalCap: this.waiting.length,
    };
  }

  /** Refuses new requests, lets running and waiting ones finish, then closes every connection. */
  override async close(): Promise<void> {
    this.closing = true;
    if (this.runningTotal > 0 || this.waiting.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    for (const health of this.health.values()) health.stop();
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  /** Aborts everything now. */
  override async destroy(): Promise<void> {
    this.closing = true;
    for (const health of this.health.values()) health.stop();
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
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
