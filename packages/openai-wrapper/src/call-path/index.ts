// The framework-free call path, for adapters (this package's OpenAI adapter, the LangChain plugin).
export { CallPath, type ActiveCall, type CallPathOptions } from './call-path.js';
export { routeAttempts, type RouteSettings, type RouteProgress, type Routed } from './route-attempts.js';
export { CALL_CHANNELS } from './events.js';
export { toGenAIAttributes } from './otel.js';
export { readUsage, costOf, describeError, type DeploymentPrices, type ReadUsage } from './usage.js';
export type {
  Attempt,
  CallEnd,
  CallLimiter,
  CallLimiterLease,
  CallOperation,
  CallPlan,
  CallSettings,
  CallTarget,
  CostUnavailableReason,
  PromptCount,
  UsageErrorInfo,
  UsageRecord,
  UsageSource,
} from './types.js';
