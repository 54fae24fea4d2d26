export { wrapOpenAI, getUsageStats, resetUsageStats, isWrapped } from './wrap-openai.js';
export { TollgateOpenAIError } from './errors.js';
export type { TollgateOpenAIErrorCode, TollgateOpenAIErrorDetails } from './errors.js';
export { USAGE_CHANNEL, HANDLER_ERROR_CHANNEL } from './usage-tracker.js';
export type {
  CostUnavailableReason,
  ModelUsageStats,
  UsageErrorInfo,
  UsageRecord,
  UsageSource,
  UsageStats,
  WrapOpenAIOptions,
} from './types.js';
export { ConnectionPools, createConnectionPools, POOL_HEALTH_CHANNEL } from './pool/index.js';
export type { OriginStats, PoolStats, ConnectionPoolsOptions, PoolHealthOptions, RequestResult } from './pool/index.js';
