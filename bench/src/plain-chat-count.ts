// What a user would write without tollgate: OpenAI's cookbook rules for chat and tool tokens
// (num_tokens_from_messages / num_tokens_for_tools), in plain JS on js-tiktoken. The chat suite
// times it against countChatTokens and checks that both give the same count.
import type { Tiktoken } from 'js-tiktoken';

/** A chat message as the plain implementation reads it: string fields only. */
export interface PlainMessage {
  readonly role: string;
  readonly content: string;
  readonly name?: string;
}

/** A function tool with flat string/enum parameters (what the cookbook rule covers). */
export interface PlainTool {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description: string;
    readonly parameters: { readonly type: 'object'; readonly properties: Record<string, { type: string; description: string; enum?: string[] }>; readonly required?: string[] };
  };
}

const trimPeriod = (text: string) => (text.endsWith('.') ? text.slice(0, -1) : text);

/** Prompt tokens of `messages` + `tools`; `functionInit` is 7 for gpt-4o models, 10 for gpt-4. */
export function plainChatTokens(encoder: Tiktoken, messages: readonly PlainMessage[], tools: readonly PlainTool[], functionInit: number): number {
  const count = (text: string) => encoder.encode(text).length;
  let tokens = 3;
  for (const message of messages) {
    tokens += 3 + count(message.role) + count(message.content);
    if (message.name !== undefined) tokens += 1 + count(message.name);
  }
  if (tools.length === 0) return tokens;
  for (const { function: fn } of tools) {
    tokens += functionInit + count(`${fn.name}:${trimPeriod(fn.description)}`);
    const entries = Object.entries(fn.parameters.properties);
    if (entries.length === 0) continue;
    tokens += 3;
    for (const [key, property] of entries) {
      tokens += 3;
      if (property.enum !== undefined) {
        tokens -= 3;
        for (const item of property.enum) tokens += 3 + count(item);
      }
      tokens += count(`${key}:${property.type}:${trimPeriod(property.description)}`);
    }
  }
  return tokens + 12;
}
