import type { CallOperation, CallPlan, CallSettings, PromptCount } from './call-path/index.js';
import { countChatTokens, countTokens, type ChatMessage, type EncodingName } from './core.js';

const RESPONSES_REASON = 'Responses API input is counted as chat messages; OpenAI has not published its exact framing.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Counts a chat request's messages, tools and tool choice. */
function countChat(body: Record<string, unknown>, model: string, defaultEncoding: EncodingName): PromptCount {
  const count = countChatTokens(body.messages as readonly ChatMessage[], {
    model,
    tools: body.tools as never,
    toolChoice: body.tool_choice as never,
    defaultEncoding,
  });
  return { tokens: count.tokens, estimated: count.estimated, estimateReasons: count.estimateReasons };
}

/** Turns one Responses API content value into chat content (text parts kept, others dropped). */
function responsesContent(content: unknown): ChatMessage['content'] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: Exclude<ChatMessage['content'], string | null | undefined>[number][] = [];
  for (const part of content.filter(isRecord)) {
    if (typeof part.text === 'string') parts.push({ type: 'text', text: part.text });
    else if (part.type === 'input_image' && typeof part.image_url === 'string')
      parts.push({ type: 'image_url', image_url: { url: part.image_url, detail: (part.detail as 'auto') ?? 'auto' } });
  }
  return parts;
}

/** Counts a Responses API request by reading its `instructions` and `input` as chat messages. */
function countResponses(body: Record<string, unknown>, model: string, defaultEncoding: EncodingName): PromptCount {
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) {
    for (const item of body.input.filter(isRecord)) {
      if (typeof item.role === 'string') {
        const role = item.role === 'developer' ? 'system' : item.role;
        messages.push({ role, content: responsesContent(item.content) } as ChatMessage);
      } else {
        // Function calls and their outputs: their JSON is what the model reads.
        const text = typeof item.output === 'string' ? item.output : JSON.stringify(item.arguments ?? item);
        messages.push({ role: 'user', content: text });
      }
    }
  }
  const count = countChatTokens(messages, { model, tools: body.tools as never, defaultEncoding });
  return { tokens: count.tokens, estimated: true, estimateReasons: [...count.estimateReasons, RESPONSES_REASON] };
}

/** Counts a prompt of embeddings or legacy completions: a string, strings, or token id arrays. */
function countInputs(input: unknown, model: string, defaultEncoding: EncodingName): PromptCount {
  const items = typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'number') ? [input] : input;
  if (!Array.isArray(items)) throw new TypeError('Unsupported input.');
  let tokens = 0;
  for (const item of items) {
    if (typeof item === 'string') tokens += countTokens(item, { model, defaultEncoding });
    else if (Array.isArray(item)) tokens += item.length;
    else throw new TypeError('Unsupported input item.');
  }
  return { tokens, estimated: false, estimateReasons: [] };
}

function countPrompt(operation: CallOperation, body: Record<string, unknown>, model: string, defaultEncoding: EncodingName): PromptCount | undefined {
  try {
    switch (operation) {
      case 'chat.completions':
        return countChat(body, model, defaultEncoding);
      case 'responses':
        return countResponses(body, model, defaultEncoding);
      case 'embeddings':
        return countInputs(body.input, model, defaultEncoding);
      case 'completions':
        return countInputs(body.prompt, model, defaultEncoding);
    }
  } catch {
    return undefined;
  }
}

/** The request's own output maximum, times `n` choices where the endpoint has them. */
function maxOutputOf(operation: CallOperation, body: Record<string, unknown>): number | undefined {
  const choices = positiveCount(body.n) ?? 1;
  switch (operation) {
    case 'chat.completions': {
      const max = positiveCount(body.max_completion_tokens) ?? positiveCount(body.max_tokens);
      return max === undefined ? undefined : max * choices;
    }
    case 'responses':
      return positiveCount(body.max_output_tokens);
    case 'completions':
      return (positiveCount(body.max_tokens) ?? 16) * choices;
    case 'embeddings':
      return 0;
  }
}

/** What the OpenAI adapter gives the call path for one request. */
export function planRequest(
  operation: CallOperation,
  body: Record<string, unknown>,
  settings: CallSettings | undefined,
  signal: AbortSignal | undefined,
  defaultEncoding: EncodingName,
  defaultOutputTokens: number,
): CallPlan {
  const model = typeof body.model === 'string' ? body.model : String(body.model);
  const maxOutputTokens = maxOutputOf(operation, body);
  return {
    ...settings,
    operation,
    model,
    streamed: body.stream === true,
    prompt: countPrompt(operation, body, model, defaultEncoding),
    maxOutputTokens,
    reservedOutputTokens: maxOutputTokens ?? defaultOutputTokens,
    signal,
  };
}
