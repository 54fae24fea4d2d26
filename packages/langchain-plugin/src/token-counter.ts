import type { BaseMessage } from '@langchain/core/messages';
import {
  countChatTokens,
  invalidArgumentError,
  type ChatTokenCount,
  type ChatToolChoice,
  type ChatToolDefinition,
  type EncodingName,
} from './core.js';
import { toChatMessage } from './to-chat-message.js';

/** Options of {@link createTokenCounter} and {@link countMessageTokens}. */
export interface TokenCounterOptions {
  /** Model whose encoding and chat framing to use, e.g. `'gpt-4o'`. Required. */
  readonly model: string;
  /** Tool definitions sent with every request (OpenAI shape); their tokens are in every count. */
  readonly tools?: readonly ChatToolDefinition[];
  /** `tool_choice` sent with every request. @default 'auto' (adds nothing) */
  readonly toolChoice?: ChatToolChoice;
  /** Encoding for a model tollgate does not know; counts are then estimates. @default none (throws) */
  readonly defaultEncoding?: EncodingName;
  /**
   * Remember each message's tokens (keyed by the message object and its `content`), so the many
   * overlapping calls of `trimMessages` tokenize each message once. @default true
   */
  readonly cache?: boolean;
}

/** A synchronous token counter for `trimMessages`, with the chat's detail on demand. */
export interface TokenCounter {
  /** Prompt tokens of a request made of `messages` (framing and reply priming included). */
  (messages: readonly BaseMessage[]): number;
  /** The same count with `estimated` and the reasons, in one tokenizer call, uncached. */
  detailed(messages: readonly BaseMessage[]): ChatTokenCount;
}

/**
 * Counts the prompt tokens a Chat Completions request made of LangChain messages will use, with
 * tollgate's exact chat rules: per-message framing, names, assistant tool calls (arguments as the
 * JSON `@langchain/openai` sends) and tool messages with their `tool_call_id`. One tokenizer call.
 *
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for a malformed message; `ERR_UNKNOWN_MODEL` for a
 *   model tollgate does not know when no `defaultEncoding` is given.
 */
export function countMessageTokens(messages: readonly BaseMessage[], options: TokenCounterOptions): ChatTokenCount {
  if (!Array.isArray(messages)) throw invalidArgumentError('messages', 'an array of LangChain messages', messages);
  return countChatTokens(messages.map(toChatMessage), chatOptions(options));
}

function chatOptions(options: TokenCounterOptions) {
  const { model, tools, toolChoice, defaultEncoding } = options;
  return { model, tools, toolChoice, defaultEncoding };
}

/**
 * Builds a token counter to pass as `trimMessages({ tokenCounter })`: exact and offline (no
 * vocabulary download, no `length / 4` fallback). The count of a list is the request's prompt
 * tokens, so `maxTokens` is a budget for the prompt as sent.
 *
 * Cost: with `cache` (the default) each message is tokenized once, on its first count; later
 * counts of lists that hold it only add numbers, which turns `trimMessages`' quadratic number of
 * calls into linear tokenizer work. Mutating a message's `content` invalidates its entry.
 *
 * @example
 * const trimmed = await trimMessages(history, { maxTokens: 2000, strategy: 'last', tokenCounter: createTokenCounter({ model: 'gpt-4o' }) });
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for bad options; `ERR_UNKNOWN_MODEL` for an
 *   unknown model without `defaultEncoding` (checked here, not on the first count).
 */
export function createTokenCounter(options: TokenCounterOptions): TokenCounter {
  if (typeof options !== 'object' || options === null) throw invalidArgumentError('options', 'an object with `model`', options);
  const settings = chatOptions(options);
  const baseTokens = countChatTokens([], settings).tokens;
  const useCache = options.cache ?? true;
  const cache = new WeakMap<BaseMessage, { content: unknown; tokens: number }>();

  const messageTokens = (message: BaseMessage): number => {
    const hit = cache.get(message);
    if (hit !== undefined && hit.content === message.content) return hit.tokens;
    const tokens = countChatTokens([toChatMessage(message)], settings).tokens - baseTokens;
    cache.set(message, { content: message.content, tokens });
    return tokens;
  };

  const counter = ((messages: readonly BaseMessage[]): number => {
    if (!Array.isArray(messages)) throw invalidArgumentError('messages', 'an array of LangChain messages', messages);
    if (!useCache) return countChatTokens(messages.map(toChatMessage), settings).tokens;
    let tokens = baseTokens;
    for (const message of messages) tokens += messageTokens(message);
    return tokens;
  }) as TokenCounter;
  counter.detailed = (messages) => countMessageTokens(messages, options);
  return counter;
}
