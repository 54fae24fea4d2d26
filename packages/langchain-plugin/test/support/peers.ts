// The peer libraries, re-exported from this package so that bench/src/suites/langchain.ts (whose
// package does not depend on them yet) loads the very copies the plugin uses.
// TODO: drop once bench/package.json lists @langchain/core, @langchain/openai and @tollgate/langchain.
export { ChatOpenAI } from '@langchain/openai';
export { AIMessage, HumanMessage, SystemMessage, ToolMessage, trimMessages, type BaseMessage } from '@langchain/core/messages';
export { countChatPrompt } from '@tollgate/mock-openai-server';
