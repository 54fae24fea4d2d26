// The one place this package reaches into @tollgate/core-native.
export {
  countChatTokens,
  countTokens,
  estimateCost,
  findModelInfo,
  TollgateError,
  createRouter,
  Router,
} from '@tollgate/core-native';
export type {
  ChatMessage,
  ChatTokenCount,
  EncodingName,
  ClassifiedFailure,
  DeploymentConfig,
  DeploymentMetrics,
  RouterLease,
  RoutedDeployment,
  RoutingStrategy,
  RouterOptions,
} from '@tollgate/core-native';
