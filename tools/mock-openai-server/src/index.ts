export { startMockOpenAI, DEFAULT_MODEL_NAMES } from './server.js';
export { countChatPrompt, countText, encodingNameForModel } from './tokens.js';
export type { MockEncodingName } from './tokens.js';
export type {
  MockFailure,
  MockModelOptions,
  MockOpenAIOptions,
  MockOpenAIServer,
  MockStats,
  RecordedRequest,
} from './types.js';
