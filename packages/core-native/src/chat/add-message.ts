import { invalidArgument } from '../errors.js';
import type { ChatRules } from './chat-rules.js';
import { DEFAULT_IMAGE_SIZE, imageTokens } from './image-tokens.js';
import type { TokenTally } from './token-tally.js';

/** Tokens added per assistant tool call on top of its name and arguments (unpublished). */
export const TOKENS_PER_TOOL_CALL = 3;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function addImagePart(tally: TokenTally, rules: ChatRules, field: string, part: Record<string, unknown>): void {
  const image = part.image_url;
  if (!isRecord(image) || typeof image.url !== 'string') throw invalidArgument(`${field}.image_url`, 'an object with a string `url`', image);
  const detail = image.detail ?? 'auto';
  if (detail !== 'low' && detail !== 'high' && detail !== 'auto') throw invalidArgument(`${field}.image_url.detail`, '"low", "high" or "auto"', detail);
  const { width, height } = part;
  if ((width !== undefined && !isPositiveSize(width)) || (height !== undefined && !isPositiveSize(height))) {
    throw invalidArgument(`${field}.${width !== undefined && !isPositiveSize(width) ? 'width' : 'height'}`, 'a positive number of pixels', width !== undefined && !isPositiveSize(width) ? width : height);
  }

  if (rules.imageEstimateReason !== undefined) tally.estimate(rules.imageEstimateReason);
  const needsSize = detail !== 'low' || rules.image.kind === 'patches';
  let size = { width: width as number, height: height as number };
  if (!isPositiveSize(width) || !isPositiveSize(height)) {
    size = DEFAULT_IMAGE_SIZE;
    if (needsSize) tally.estimate('an image part has no width/height, so 1024x1024 was assumed');
  }
  if (detail === 'auto' && rules.image.kind === 'tiles') {
    tally.estimate('an image with detail "auto" was counted as "high"');
  }
  tally.fixedTokens += imageTokens(rules.image, size.width, size.height, detail);
}

function addContent(tally: TokenTally, rules: ChatRules, field: string, content: unknown): void {
  if (content === undefined || content === null) return;
  if (typeof content === 'string') {
    tally.addText(content);
    return;
  }
  if (!Array.isArray(content)) throw invalidArgument(field, 'a string, an array of content parts or null', content);

  let textParts = 0;
  for (const [index, part] of content.entries()) {
    const partField = `${field}[${index}]`;
    if (!isRecord(part) || typeof part.type !== 'string') throw invalidArgument(partField, 'a content part object with a string `type`', part);
    if (part.type === 'text' || part.type === 'refusal') {
      const text = part.type === 'text' ? part.text : part.refusal;
      if (typeof text !== 'string') throw invalidArgument(`${partField}.${part.type}`, 'a string', text);
      tally.addText(text);
      textParts += 1;
    } else if (part.type === 'image_url') {
      addImagePart(tally, rules, partField, part);
    } else {
      tally.estimate(`a content part of type ${JSON.stringify(part.type.slice(0, 30))} was counted as 0 tokens`);
    }
  }
  if (textParts > 1) tally.estimate('several text parts were counted separately; the API may join them');
}

function addFunctionCall(tally: TokenTally, field: string, call: unknown): void {
  if (!isRecord(call)) throw invalidArgument(field, 'a function call object', call);
  const { name, arguments: args } = call;
  if (typeof name !== 'string') throw invalidArgument(`${field}.name`, 'a string', name);
  if (typeof args !== 'string') throw invalidArgument(`${field}.arguments`, 'a JSON string', args);
  tally.fixedTokens += TOKENS_PER_TOOL_CALL;
  tally.addText(name);
  tally.addText(args);
  tally.estimate('assistant tool calls are counted with an unpublished rule (name + arguments + 3)');
}

/**
 * Adds one message: `tokensPerMessage`, the role, the content, the name (+`tokensPerName`), and
 * for tool traffic the tool_call_id and each tool call (estimates).
 *
 * @throws TollgateError `ERR_INVALID_ARGUMENT` naming `messages[i].field` and what came.
 */
export function addMessage(tally: TokenTally, rules: ChatRules, index: number, message: unknown): void {
  const field = `messages[${index}]`;
  if (!isRecord(message)) throw invalidArgument(field, 'a message object', message);
  if (typeof message.role !== 'string') throw invalidArgument(`${field}.role`, 'a string', message.role);

  tally.fixedTokens += rules.tokensPerMessage;
  tally.addText(message.role);
  addContent(tally, rules, `${field}.content`, message.content);

  if (message.name !== undefined && message.name !== null) {
    if (typeof message.name !== 'string') throw invalidArgument(`${field}.name`, 'a string', message.name);
    tally.addText(message.name);
    tally.fixedTokens += rules.tokensPerName;
  }
  if (message.tool_call_id !== undefined && message.tool_call_id !== null) {
    if (typeof message.tool_call_id !== 'string') throw invalidArgument(`${field}.tool_call_id`, 'a string', message.tool_call_id);
    tally.addText(message.tool_call_id);
    tally.estimate('tool messages are counted with the plain-message rule, tool_call_id as text');
  }
  if (message.tool_calls !== undefined && message.tool_calls !== null) {
    if (!Array.isArray(message.tool_calls)) throw invalidArgument(`${field}.tool_calls`, 'an array of tool calls', message.tool_calls);
    for (const [callIndex, call] of message.tool_calls.entries()) {
      const callField = `${field}.tool_calls[${callIndex}]`;
      if (!isRecord(call)) throw invalidArgument(callField, 'a tool call object', call);
      addFunctionCall(tally, `${callField}.function`, call.function);
    }
  }
  if (message.function_call !== undefined && message.function_call !== null) {
    addFunctionCall(tally, `${field}.function_call`, message.function_call);
  }
}
