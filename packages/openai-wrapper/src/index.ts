export { wrapOpenAI, getUsageStats, getStats, resetUsageStats, isWrapped, closeWrapper } from './wrap-openai.js';
export type { WrapperStats } from './wrap-openai.js';
export { callOptions } from './call-options.js';
export type { TollgateCallOptions } from './call-options.js';
export { TollgateOpenAIError } from './errors.js';
export type { TollgateOpenAIErrorCode, TollgateOpenAIErrorDetails } from './errors.js';
export { USAGE_CHANNEL, HANDLER_ERROR_CHANNEL } from './usage-tracker.js';
export type {
  CostUnavailableReason,
  DeploymentOptions,
  LimitsOptions,
  ModelUsageStats,
  RoutingOptions,
  UsageErrorInfo,
  UsageRecord,
  UsageSource,
  UsageStats,
  WrapOpenAIOptions,
} from './types.js';
export {
  CallPath,
  CALL_CHANNELS,
  routeAttempts,
  toGenAIAttributes,
  readUsage,
  costOf,
  describeError,
} from './call-path/index.js';
export type {
  ActiveCall,
  Attempt,
  CallEnd,
  CallLimiter,
  CallLimiterLease,
  CallOperation,
  CallPathOptions,
  CallPlan,
  CallSettings,
  CallTarget,
  DeploymentPrices,
  PromptCount,
  RouteSettings,
} from './call-path/index.js';
export { ConnectionPools, createConnectionPools, POOL_HEALTH_CHANNEL } from './pool/index.js';
export type { OriginStats, PoolStats, ConnectionPoolsOptions, PoolHealthOptions, RequestResult } from './pool/index.js';
