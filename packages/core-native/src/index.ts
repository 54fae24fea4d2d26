export { TollgateError, type TollgateErrorCode, type TollgateErrorDetails } from './errors.js';

export { ENCODING_NAMES, isEncodingName, type EncodingName } from './tokenizer/encoding-name.js';
export { SPECIAL_TOKENS } from './tokenizer/specials.js';
export type { TokenizeOptions } from './tokenizer/options.js';
export {
  countTokens,
  countTokensAsync,
  countTokensBatch,
  countTokensBatchAsync,
  decode,
  encode,
  encodeAsync,
  isWithinTokenLimit,
  type AsyncTokenizeOptions,
} from './tokenizer/api.js';
export { BACKEND_ENV, getBackend, getNativeLoadError } from './tokenizer/active-backend.js';
export type { BackendName } from './tokenizer/backend.js';

export { getModelInfo, findModelInfo, registerModels, resetModelRegistry } from './models/model-registry.js';
export type { RegisterModelsOptions } from './models/model-registry.js';
export type { ModelInfo, ModelPrices, ModelEntry } from './models/model-info.js';
export { getEncodingNameForModel } from './models/encoding-for-model.js';
export type { EncodingForModelOptions } from './models/encoding-for-model.js';
export { loadLiteLLMModelPrices } from './models/litellm-prices.js';
export type { LoadLiteLLMOptions } from './models/litellm-prices.js';
export { getBundledModelDataInfo } from './models/bundled-models.js';
export type { BundledModelDataInfo } from './models/bundled-models.js';

export { estimateCost } from './cost/estimate-cost.js';
export type { EstimateCostOptions, CostBreakdown } from './cost/estimate-cost.js';
export { detectUsageStyle, normalizeUsage } from './cost/normalize-usage.js';
export type { UsageStyle, NormalizedUsage } from './cost/normalize-usage.js';

export { countChatTokens } from './chat/count-chat-tokens.js';
export type {
  ChatMessage,
  ChatContentPart,
  ChatTextPart,
  ChatImagePart,
  ChatOtherPart,
  ChatToolCall,
  ChatToolDefinition,
  ChatToolParameter,
  ChatToolChoice,
  CountChatTokensOptions,
  ChatTokenCount,
} from './chat/chat-types.js';

export {
  createRouter,
  Router,
  runRouted,
  ERR_NO_DEPLOYMENT,
  classifyFailure,
  parseRetryAfterMs,
  ROUTER_CHANNELS,
  STRATEGIES,
  RedisRouterState,
} from './router/index.js';
export type {
  PickOptions,
  NoPickReason,
  RunOptions,
  AttemptContext,
  DeploymentConfig,
  RouterOptions,
  RoutedDeployment,
  RouterLease,
  LeaseUsage,
  DeploymentMetrics,
  ClassifiedFailure,
  FailureKind,
  RoutingStrategy,
  SharedRouterStateOptions,
} from './router/index.js';

export {
  createLimiter,
  Limiter,
  LimiterKey,
  Lease,
  acquireAll,
  tryAcquireAll,
  createManualClock,
  systemClock,
  LIMITER_EVENTS,
  createRedisLimiter,
  RedisLimiter,
  RedisLease,
  redisTryAcquireAll,
  redisAcquireAll,
  ioredisEvaluator,
  LimitBatch,
} from './limiter/index.js';
export type {
  LimiterOptions,
  LimiterStats,
  AcquireOptions,
  LimiterScope,
  LimitDecision,
  AcquireCost,
  LimitRule,
  LimitMeasure,
  LimitShorthands,
  WindowUnit,
  LimiterClock,
  ManualClock,
  LimiterEventName,
  RedisFailurePolicy,
  RedisLimiterOptions,
  RedisLimitDecision,
  RedisLimiterScope,
  IoredisLike,
  RedisEvaluator,
} from './limiter/index.js';
