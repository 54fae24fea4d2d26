import { invalidArgument } from '../errors.js';
import { isEncodingName } from '../tokenizer/encoding-name.js';
import { countTextsForEncoding } from '../tokenizer/count-texts.js';
import { addMessage } from './add-message.js';
import { resolveChatRules } from './chat-rules.js';
import type { ChatMessage, ChatTokenCount, CountChatTokensOptions } from './chat-types.js';
import { TokenTally } from './token-tally.js';
import { addToolChoice, addToolDefinitions } from './tool-definitions.js';

/**
 * Counts the prompt tokens of a Chat Completions request with OpenAI's published rules: 3 tokens
 * per message plus the tokens of its role, content and name (+1 with a name; gpt-3.5-turbo-0301:
 * 4 and -1), plus 3 that prime the reply; tool definitions by the cookbook's per-function
 * constants; images by the tile rule (gpt-4o-mini: 2833 + 5667 per tile). All texts of the chat
 * are counted in one tokenizer call.
 *
 * `estimated` is true, with a reason per rule, whenever an unpublished rule was used: model
 * families newer than the cookbook's (gpt-4.1, gpt-5, o-series: the gpt-4o framing is assumed),
 * tool calls and tool messages, `tool_choice`, images without size or with `auto` detail,
 * non-text parts, nested tool schemas, or a `defaultEncoding` fallback. An empty chat counts 3.
 *
 * @example
 * countChatTokens([{ role: 'user', content: 'Hello' }], { model: 'gpt-4o' }).tokens; // 9
 * @throws TollgateError `ERR_INVALID_ARGUMENT` naming the bad field, e.g. `messages[3].content`.
 * @throws TollgateError `ERR_UNKNOWN_MODEL` / `ERR_UNKNOWN_ENCODING` when the model's encoding is
 *   unknown and no `defaultEncoding` is given.
 */
export function countChatTokens(messages: readonly ChatMessage[], options: CountChatTokensOptions): ChatTokenCount {
  if (!Array.isArray(messages)) throw invalidArgument('messages', 'an array of chat messages', messages);
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an options object with `model`', options);
  const { model, tools, toolChoice, defaultEncoding } = options;
  if (typeof model !== 'string' || model.trim().length === 0) throw invalidArgument('options.model', 'a non-empty model name', model);
  if (defaultEncoding !== undefined && !isEncodingName(defaultEncoding)) {
    throw invalidArgument('options.defaultEncoding', 'a bundled encoding name', defaultEncoding);
  }

  const rules = resolveChatRules(model, defaultEncoding);
  const tally = new TokenTally();
  for (const reason of rules.baseReasons) tally.estimate(reason);
  messages.forEach((message, index) => addMessage(tally, rules, index, message));
  tally.fixedTokens += rules.replyPriming;
  if (Array.isArray(tools) && tools.length > 0 && rules.toolsEstimateReason !== undefined) tally.estimate(rules.toolsEstimateReason);
  addToolDefinitions(tally, rules.tools, tools);
  addToolChoice(tally, toolChoice);

  // One crossing for the whole chat.
  const counts = tally.texts.length === 0 ? new Uint32Array(0) : countTextsForEncoding(rules.encoding, tally.texts);
  let tokens = tally.fixedTokens;
  for (const count of counts) tokens += count;
  const estimateReasons = [...tally.reasons];
  return { tokens, estimated: estimateReasons.length > 0, estimateReasons };
}
