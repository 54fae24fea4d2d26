import { TollgateOpenAIError, describeValue } from '../errors.js';

/** Passive and active health checking of each origin. */
export interface PoolHealthOptions {
  /** Results (per origin) the error rate is computed over. @default 20 */
  windowSize?: number;
  /** Fewest results in the window before the error rate can mark an origin unhealthy. @default 5 */
  minRequests?: number;
  /** Error rate (5xx, 429 not included, connection errors, timeouts) that marks it unhealthy. @default 0.5 */
  errorRateThreshold?: number;
  /** Timeouts in a row that mark it unhealthy at once. @default 3 */
  consecutiveTimeouts?: number;
  /** Without a probe: how long an unhealthy origin stays so, in ms. @default 10000 */
  unhealthyForMs?: number;
  /** Active probe: a GET of this path (e.g. `/v1/models`) while unhealthy; 2xx–4xx means up. */
  probePath?: string;
  /** First probe delay in ms, doubled after each failed probe. @default 500 */
  probeBackoffMs?: number;
  /** Largest probe delay in ms. @default 30000 */
  probeBackoffMaxMs?: number;
  /** Called when an origin turns unhealthy or healthy (e.g. to tell the router). */
  onHealthChange?: (origin: string, healthy: boolean) => void;
}

/** Settings of {@link createConnectionPools}. */
export interface ConnectionPoolsOptions {
  /** Most connections to one origin. @default 64 */
  connectionsPerOrigin?: number;
  /** Most requests running over all origins at once (one per connection, no pipelining); more wait in order. @default no limit */
  maxTotalConnections?: number;
  /** Idle time after which a keep-alive connection is closed, in ms. @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Requests one connection serves before it is replaced. @default no limit */
  maxRequestsPerConnection?: number;
  /** Age after which a connection is replaced, in ms (undici `clientTtl`). @default no limit */
  maxConnectionAgeMs?: number;
  /** Time to establish a connection, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /** Time to receive response headers, in ms. @default 300000 */
  headersTimeoutMs?: number;
  /** Health checking; passive checking is on by default. */
  health?: PoolHealthOptions;
  /**
   * Send every request of `pools.fetch` through undici's full `fetch`. By default a request with
   * a string or byte body goes straight to the pool (about three times cheaper per request; it
   * asks for no compression, see `dispatcherFetch`). @default false
   */
  fullFetch?: boolean;
}

/** Validated settings, every default filled in. */
export interface ResolvedPoolOptions {
  connectionsPerOrigin: number;
  maxTotalConnections: number;
  keepAliveTimeoutMs: number;
  maxRequestsPerConnection: number | undefined;
  maxConnectionAgeMs: number | undefined;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  fullFetch: boolean;
  health: Required<Omit<PoolHealthOptions, 'probePath' | 'onHealthChange'>> & Pick<PoolHealthOptions, 'probePath' | 'onHealthChange'>;
}

function positive(field: string, value: number | undefined, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || (integer && !Number.isInteger(value)) || !Number.isFinite(value)) {
    const expected = integer ? 'a positive integer' : 'a positive number';
    const shown = describeValue(value);
    throw new TollgateOpenAIError('ERR_INVALID_ARGUMENT', `Expected \`${field}\` to be ${expected}, got ${shown}.`, { field, value: shown });
  }
  return value;
}

function flag(field: string, value: boolean | undefined): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true;
  const shown = describeValue(value);
  throw new TollgateOpenAIError('ERR_INVALID_ARGUMENT', `Expected \`${field}\` to be a boolean, got ${shown}.`, { field, value: shown });
}

/** Validates options when the pools are built, never on the request path. */
export function resolvePoolOptions(options: ConnectionPoolsOptions = {}): ResolvedPoolOptions {
  const health = options.health ?? {};
  const rate = positive('health.errorRateThreshold', health.errorRateThreshold, 0.5, false);
  if (rate > 1) positive('health.errorRateThreshold', -1, 0);
  return {
    connectionsPerOrigin: positive('connectionsPerOrigin', options.connectionsPerOrigin, 64),
    maxTotalConnections: positive('maxTotalConnections', options.maxTotalConnections, Number.MAX_SAFE_INTEGER),
    keepAliveTimeoutMs: positive('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 4000),
    maxRequestsPerConnection:
      options.maxRequestsPerConnection === undefined ? undefined : positive('maxRequestsPerConnection', options.maxRequestsPerConnection, 0),
    maxConnectionAgeMs: options.maxConnectionAgeMs === undefined ? undefined : positive('maxConnectionAgeMs', options.maxConnectionAgeMs, 0),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    headersTimeoutMs: positive('headersTimeoutMs', options.headersTimeoutMs, 300_000),
    fullFetch: flag('fullFetch', options.fullFetch),
    health: {
      windowSize: positive('health.windowSize', health.windowSize, 20),
      minRequests: positive('health.minRequests', health.minRequests, 5),
      errorRateThreshold: rate,
      consecutiveTimeouts: positive('health.consecutiveTimeouts', health.consecutiveTimeouts, 3),
      unhealthyForMs: positive('health.unhealthyForMs', health.unhealthyForMs, 10_000),
      probeBackoffMs: positive('health.probeBackoffMs', health.probeBackoffMs, 500),
      probeBackoffMaxMs: positive('health.probeBackoffMaxMs', health.probeBackoffMaxMs, 30_000),
      probePath: health.probePath,
      onHealthChange: health.onHealthChange,
    },
  };
}
