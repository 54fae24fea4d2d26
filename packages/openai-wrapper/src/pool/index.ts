export { ConnectionPools, createConnectionPools, type OriginStats, type PoolStats } from './connection-pools.js';
export { POOL_HEALTH_CHANNEL, type RequestResult } from './origin-health.js';
export type { ConnectionPoolsOptions, PoolHealthOptions } from './pool-options.js';
