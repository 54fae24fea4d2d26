import type { BaseChatModel, BaseChatModelCallOptions } from '@langchain/core/language_models/chat_models';
import type { Runnable } from '@langchain/core/runnables';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { AIMessageChunk } from '@langchain/core/messages';
import { TollgateCallbackHandler, type TollgateCallbackHandlerOptions } from './callback-handler.js';
import { invalidArgumentError } from './core.js';

/**
 * Wraps any chat model so every call goes through a {@link TollgateCallbackHandler}: limits are
 * awaited before the call (reserve), usage is settled after it, and usage is recorded. Callbacks
 * given per call still run. Returns the wrapped runnable and the handler (for `snapshot()`).
 *
 * @example
 * const { model, handler } = withTollgate(new ChatOpenAI({ model: 'gpt-4o-mini' }), { limits: { limiter } });
 * await model.invoke('Hi');
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for a value that is not a chat model or bad options.
 */
export function withTollgate<CallOptions extends BaseChatModelCallOptions>(
  chatModel: BaseChatModel<CallOptions>,
  options: TollgateCallbackHandlerOptions | TollgateCallbackHandler = {},
): { model: Runnable<BaseLanguageModelInput, AIMessageChunk, CallOptions>; handler: TollgateCallbackHandler } {
  if (typeof (chatModel as { withConfig?: unknown })?.withConfig !== 'function') throw invalidArgumentError('chatModel', 'a LangChain chat model', chatModel);
  const handler = options instanceof TollgateCallbackHandler ? options : new TollgateCallbackHandler(options);
  const model = chatModel.withConfig({ callbacks: [handler] } as unknown as Partial<CallOptions>) as Runnable<BaseLanguageModelInput, AIMessageChunk, CallOptions>;
  return { model, handler };
}
