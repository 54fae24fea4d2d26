// The limiter's public surface, re-exported by name from src/index.ts.
export { createLimiter, Limiter, type LimiterOptions, type LimiterStats } from './limiter.js';
export { acquireAll, tryAcquireAll, type AcquireOptions, type LimiterScope } from './acquire-scopes.js';
export { LimiterKey } from './limiter-key.js';
export { Lease } from './lease.js';
export { LimitBatch } from './limit-batch.js';
export type { LimitDecision } from './decision.js';
export type { AcquireCost } from './cost.js';
export type { LimitRule, LimitMeasure, LimitShorthands, WindowUnit } from './limit-rules.js';
export { createManualClock, systemClock, type LimiterClock, type ManualClock } from './clock.js';
export { LIMITER_EVENTS, type LimiterEventName } from './events.js';
export { createRedisLimiter, RedisLimiter, type RedisFailurePolicy, type RedisLimiterOptions, type RedisLimitDecision } from './redis/redis-limiter.js';
export { RedisLease } from './redis/redis-lease.js';
export { redisAcquireAll, redisTryAcquireAll, type RedisLimiterScope } from './redis/redis-scopes.js';
export { ioredisEvaluator, type IoredisLike, type RedisEvaluator } from './redis/redis-evaluator.js';
