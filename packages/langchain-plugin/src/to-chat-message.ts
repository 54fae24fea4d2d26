import type { BaseMessage } from '@langchain/core/messages';
import type { ChatContentPart, ChatMessage, ChatToolCall } from '@tollgate/core-native';

type Loose = Record<string, unknown>;

const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

const ROLES: Readonly<Record<string, string>> = {
  human: 'user',
  ai: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
  function: 'function',
};

/** The role the message has on the wire, as `@langchain/openai` sends it. */
export function openAIRole(message: BaseMessage): string {
  const type = message.getType();
  if (type === 'generic') {
    const role = (message as unknown as { role?: unknown }).role;
    return typeof role === 'string' ? role : 'user';
  }
  return ROLES[type] ?? type;
}

function toPart(block: unknown): ChatContentPart {
  if (typeof block === 'string') return { type: 'text', text: block };
  if (!isRecord(block) || typeof block.type !== 'string') return { type: 'unknown' };
  if (block.type === 'text' && typeof block.text === 'string') return { type: 'text', text: block.text };
  if (block.type === 'image_url') {
    const image = typeof block.image_url === 'string' ? { url: block.image_url } : block.image_url;
    return { ...block, type: 'image_url', image_url: image } as ChatContentPart;
  }
  if (block.type === 'image' && typeof block.url === 'string') return { type: 'image_url', image_url: { url: block.url } };
  return { type: block.type };
}

function toolCallsOf(message: BaseMessage): ChatToolCall[] | undefined {
  const calls = (message as unknown as { tool_calls?: unknown }).tool_calls;
  if (Array.isArray(calls) && calls.length > 0) {
    return calls.map((call: Loose) => ({
      id: typeof call.id === 'string' ? call.id : undefined,
      type: 'function',
      function: { name: String(call.name ?? ''), arguments: JSON.stringify(call.args ?? {}) },
    }));
  }
  const raw = message.additional_kwargs?.tool_calls;
  if (Array.isArray(raw) && raw.length > 0) return raw as ChatToolCall[];
  return undefined;
}

/**
 * Turns a LangChain message into the Chat Completions message `@langchain/openai` would send:
 * `human` → `user`, `ai` → `assistant` with its `tool_calls` (arguments as JSON), `tool` with its
 * `tool_call_id`; text and image blocks as OpenAI content parts, other blocks by type only.
 * Pure and cheap: no text is copied.
 */
export function toChatMessage(message: BaseMessage): ChatMessage {
  const role = openAIRole(message);
  const content = typeof message.content === 'string' ? message.content : message.content.map(toPart);
  const converted: { -readonly [K in keyof ChatMessage]: ChatMessage[K] } = { role, content };
  if (typeof message.name === 'string' && message.name !== '') converted.name = message.name;
  if (role === 'assistant') {
    const calls = toolCallsOf(message);
    if (calls !== undefined) converted.tool_calls = calls;
    const functionCall = message.additional_kwargs?.function_call;
    if (calls === undefined && isRecord(functionCall)) converted.function_call = functionCall as ChatMessage['function_call'];
  }
  const toolCallId = (message as unknown as { tool_call_id?: unknown }).tool_call_id;
  if (role === 'tool' && typeof toolCallId === 'string') converted.tool_call_id = toolCallId;
  return converted;
}
