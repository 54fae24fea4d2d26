export { createRouter, Router, type PickOptions, type NoPickReason } from './router.js';
export { runRouted, ERR_NO_DEPLOYMENT, type RunOptions, type AttemptContext } from './run.js';
export type { DeploymentConfig, RouterOptions } from './options.js';
export type { RoutedDeployment, RouterLease, LeaseUsage } from './lease.js';
export type { DeploymentMetrics } from './snapshot.js';
export { classifyFailure, parseRetryAfterMs, type ClassifiedFailure, type FailureKind } from './failure.js';
export { ROUTER_CHANNELS } from './events.js';
export { RedisRouterState, type SharedRouterStateOptions } from './shared-state.js';
export { STRATEGIES, type RoutingStrategy } from './engine.js';
