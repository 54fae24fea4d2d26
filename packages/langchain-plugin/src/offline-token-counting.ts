import type { BaseMessage, MessageContent } from '@langchain/core/messages';
import { countTokens, invalidArgumentError, type EncodingName } from './core.js';
import { createTokenCounter, type TokenCounter } from './token-counter.js';

/** What {@link withOfflineTokenCounting} needs of a chat model (e.g. a `ChatOpenAI`). */
export interface TokenCountingModel {
  getNumTokens(content: MessageContent): Promise<number>;
}

/** Options of {@link withOfflineTokenCounting}. */
export interface OfflineTokenCountingOptions {
  /** Model whose encoding and framing to use. @default the chat model's `model` field */
  readonly model?: string;
  /** Encoding for a model tollgate does not know. @default none (throws) */
  readonly defaultEncoding?: EncodingName;
}

const DELEGATES = ['completions', 'responses'] as const;

/** Text of a content as LangChain's `getNumTokens` reads it: the string, or its text blocks joined. */
function textOf(content: MessageContent): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const block of content) {
    if (typeof block === 'string') text += block;
    else if (block.type === 'text' && typeof block.text === 'string') text += block.text;
  }
  return text;
}

/**
 * Gives a chat model offline, exact token counting, in place: `getNumTokens` counts with the
 * model's bundled encoding (LangChain's downloads a vocabulary from the network at run time and
 * falls back to `length / 4`), and `getNumTokensFromMessages` (what `ChatOpenAI` uses to estimate
 * the usage of streamed calls that got none) uses the exact chat rules, tool calls included.
 * `ChatOpenAI`'s inner `completions` and `responses` models get the same. Returns the same instance.
 *
 * @example
 * const chat = withOfflineTokenCounting(new ChatOpenAI({ model: 'gpt-4o-mini' }));
 * @throws TollgateError `ERR_INVALID_ARGUMENT` when no model name is known; `ERR_UNKNOWN_MODEL`
 *   for a model without a known encoding and no `defaultEncoding`.
 */
export function withOfflineTokenCounting<T extends TokenCountingModel>(chatModel: T, options: OfflineTokenCountingOptions = {}): T {
  const model = options.model ?? (chatModel as { model?: unknown }).model;
  if (typeof model !== 'string' || model === '') throw invalidArgumentError('options.model', 'a model name (the chat model has none)', model);
  const counter: TokenCounter = createTokenCounter({ model, defaultEncoding: options.defaultEncoding });
  const tokenizeOptions = options.defaultEncoding === undefined ? { model } : { model, defaultEncoding: options.defaultEncoding };

  const getNumTokens = async (content: MessageContent) => countTokens(textOf(content), tokenizeOptions);
  const getNumTokensFromMessages = async (messages: BaseMessage[]) => {
    const countPerMessage = messages.map((message) => counter([message]) - counter([]));
    return { totalCount: counter(messages), countPerMessage };
  };
  // ChatOpenAI 1.x delegates its calls to inner `completions` and `responses` models: patch them too.
  const targets = [chatModel, ...DELEGATES.map((key) => (chatModel as unknown as Record<string, unknown>)[key])];
  for (const target of targets) {
    if (typeof (target as TokenCountingModel | undefined)?.getNumTokens !== 'function') continue;
    Object.assign(target as object, { getNumTokens, getNumTokensFromMessages });
  }
  return chatModel;
}
