// Token counting for the mock server, written against js-tiktoken only, so that the usage it
// reports is an independent reference for tollgate's own counting.
import { getEncoding, type Tiktoken } from 'js-tiktoken';

/** The encodings the mock server can count with. */
export type MockEncodingName = 'o200k_base' | 'cl100k_base';

const encodings = new Map<MockEncodingName, Tiktoken>();

/** Returns the (cached) js-tiktoken encoder for `name`; the first call loads the ranks. */
export function encoderFor(name: MockEncodingName): Tiktoken {
  let encoder = encodings.get(name);
  if (encoder === undefined) {
    encoder = getEncoding(name);
    encodings.set(name, encoder);
  }
  return encoder;
}

/**
 * The encoding OpenAI uses for `model`: o200k_base for gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the
 * o-series; cl100k_base for gpt-4, gpt-3.5 and text-embedding-*. `undefined` for anything else.
 */
export function encodingNameForModel(model: string): MockEncodingName | undefined {
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)/.test(model)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-)/.test(model)) return 'cl100k_base';
  return undefined;
}

/** Number of tokens of `text` as ordinary text (special-token text is not special). */
export function countText(encoding: MockEncodingName, text: string): number {
  if (text.length === 0) return 0;
  return encoderFor(encoding).encode(text, [], []).length;
}

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

/** Tokens of one message field value: strings as text, text parts as text, tool calls by name and arguments. */
function countFieldValue(encoding: MockEncodingName, key: string, value: unknown): number {
  if (typeof value === 'string') return countText(encoding, value);
  if (!Array.isArray(value)) {
    if (key === 'function_call' && isRecord(value)) {
      return (
        countText(encoding, stringOf(value.name)) + countText(encoding, stringOf(value.arguments))
      );
    }
    return 0;
  }
  let tokens = 0;
  for (const item of value) {
    if (!isRecord(item)) continue;
    if (item.type === 'text' && typeof item.text === 'string')
      tokens += countText(encoding, item.text);
    if (key === 'tool_calls' && isRecord(item.function)) {
      tokens += countText(encoding, stringOf(item.function.name));
      tokens += countText(encoding, stringOf(item.function.arguments));
    }
  }
  return tokens;
}

/**
 * Prompt tokens of a chat by OpenAI's published rule: 3 per message, plus the tokens of each field
 * value, plus 1 when a `name` is present, plus 3 that prime the reply; tool definitions add the
 * per-function constants of OpenAI's token-counting cookbook.
 *
 * Images, audio and files are not counted: the mock only knows text.
 */
export function countChatPrompt(
  encoding: MockEncodingName,
  messages: readonly unknown[],
  tools: readonly unknown[] | undefined,
): number {
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    tokens += TOKENS_PER_MESSAGE;
    for (const [key, value] of Object.entries(message)) {
      tokens += countFieldValue(encoding, key, value);
      if (key === 'name') tokens += TOKENS_PER_NAME;
    }
  }
  if (tools !== undefined && tools.length > 0) tokens += countToolDefinitions(encoding, tools);
  return tokens;
}

/** Cookbook constants per function definition; gpt-4o-family models start a function with 7, older ones with 10. */
function countToolDefinitions(encoding: MockEncodingName, tools: readonly unknown[]): number {
  const functionStart = encoding === 'o200k_base' ? 7 : 10;
  const propertiesStart = 3;
  const propertyKey = 3;
  const enumStart = -3;
  const enumItem = 3;
  const functionsEnd = 12;
  let tokens = 0;
  for (const tool of tools) {
    if (!isRecord(tool) || !isRecord(tool.function)) continue;
    const definition = tool.function;
    tokens += functionStart;
    const description = trimFinalPeriod(stringOf(definition.description));
    tokens += countText(encoding, `${stringOf(definition.name)}:${description}`);
    const parameters = isRecord(definition.parameters) ? definition.parameters : {};
    const properties = isRecord(parameters.properties) ? parameters.properties : {};
    const keys = Object.keys(properties);
    if (keys.length === 0) continue;
    tokens += propertiesStart;
    for (const key of keys) {
      const property = isRecord(properties[key]) ? properties[key] : {};
      tokens += propertyKey;
      if (Array.isArray(property.enum)) {
        tokens += enumStart;
        for (const item of property.enum) tokens += enumItem + countText(encoding, String(item));
      }
      const propertyDescription = trimFinalPeriod(stringOf(property.description));
      tokens += countText(encoding, `${key}:${stringOf(property.type)}:${propertyDescription}`);
    }
  }
  return tokens + functionsEnd;
}

function trimFinalPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** True for a plain, non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
