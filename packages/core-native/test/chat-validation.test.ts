import { describe, expect, it } from 'vitest';
import { countChatTokens } from '../src/chat/count-chat-tokens.js';
import type { ChatMessage } from '../src/chat/chat-types.js';
import { TollgateError } from '../src/errors.js';

function errorOf(run: () => unknown): TollgateError {
  try {
    run();
  } catch (error) {
    if (TollgateError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a TollgateError');
}

const ok = { role: 'user', content: 'hi' };

describe('countChatTokens validates its input', () => {
  it('names the message and field that is wrong, and what came', () => {
    const messages = [ok, ok, ok, { role: 'user', content: 42 }] as unknown as ChatMessage[];
    const error = errorOf(() => countChatTokens(messages, { model: 'gpt-4o' }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.field).toBe('messages[3].content');
    expect(error.message).toBe('Expected `messages[3].content` to be a string, an array of content parts or null, got 42.');
  });

  it('refuses a message that is not an object and a role that is not a string', () => {
    expect(errorOf(() => countChatTokens(['hello'] as unknown as ChatMessage[], { model: 'gpt-4o' })).field).toBe('messages[0]');
    expect(errorOf(() => countChatTokens([{ role: 7 }] as unknown as ChatMessage[], { model: 'gpt-4o' })).field).toBe('messages[0].role');
  });

  it('refuses bad parts, names, tool calls and options', () => {
    const bad = (message: unknown) => errorOf(() => countChatTokens([message] as ChatMessage[], { model: 'gpt-4o' })).field;
    expect(bad({ role: 'user', content: [{ type: 'text', text: 5 }] })).toBe('messages[0].content[0].text');
    expect(bad({ role: 'user', content: [{ text: 'no type' }] })).toBe('messages[0].content[0]');
    expect(bad({ role: 'user', content: 'x', name: ['a'] })).toBe('messages[0].name');
    expect(bad({ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: {} } }] })).toBe('messages[0].tool_calls[0].function.arguments');
    expect(bad({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'u' }, width: -3, height: 10 }] })).toBe('messages[0].content[0].width');
    expect(errorOf(() => countChatTokens('hi' as unknown as ChatMessage[], { model: 'gpt-4o' })).field).toBe('messages');
    expect(errorOf(() => countChatTokens([ok], { model: '' })).field).toBe('options.model');
    expect(errorOf(() => countChatTokens([ok], { model: 'gpt-4o', tools: [{ type: 'function', function: { name: 3 } }] as never })).field).toBe('options.tools[0].function.name');
    expect(errorOf(() => countChatTokens([ok], { model: 'gpt-4o', toolChoice: 'sometimes' as never })).field).toBe('options.toolChoice');
  });

  it('never puts prompt text into the error', () => {
    const secret = 'my very secret prompt text that is long enough to be cut';
    const error = errorOf(() => countChatTokens([{ role: secret as unknown as string, content: { secret } as never }], { model: 'gpt-4o' }));
    expect(error.message).not.toContain('secret prompt');
  });
});
