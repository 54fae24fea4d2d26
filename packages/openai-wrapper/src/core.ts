// The one place this package reaches into @tollgate/core-native.
export { countChatTokens, countTokens, estimateCost, TollgateError } from '@tollgate/core-native';
export type { ChatMessage, ChatTokenCount, EncodingName } from '@tollgate/core-native';
