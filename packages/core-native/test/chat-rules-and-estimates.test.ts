import { describe, expect, it } from 'vitest';
import { countChatTokens } from '../src/chat/count-chat-tokens.js';
import { imageTokens } from '../src/chat/image-tokens.js';
import { countTextsForEncoding } from '../src/tokenizer/count-texts.js';

function textTokens(encoding: 'o200k_base' | 'cl100k_base', text: string): number {
  return countTextsForEncoding(encoding, [text])[0]!;
}

describe('message framing', () => {
  it('adds 3 per message, the role and content tokens, 1 per name and 3 for the reply', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', name: 'example_user', content: 'Hello there' },
    ];
    const expected =
      3 + textTokens('cl100k_base', 'system') + textTokens('cl100k_base', 'Be brief.') +
      3 + textTokens('cl100k_base', 'user') + textTokens('cl100k_base', 'Hello there') + textTokens('cl100k_base', 'example_user') + 1 +
      3;
    expect(countChatTokens(messages, { model: 'gpt-4-0613' }).tokens).toBe(expected);
  });

  it('uses 4 per message and -1 per name for gpt-3.5-turbo-0301', () => {
    const messages = [{ role: 'user', name: 'bob', content: 'Hi' }];
    const modern = countChatTokens(messages, { model: 'gpt-3.5-turbo-0613' }).tokens;
    const legacy = countChatTokens(messages, { model: 'gpt-3.5-turbo-0301' }).tokens;
    expect(legacy - modern).toBe(1 - 2);
  });

  it('marks model families newer than the cookbook as estimates but counts them like gpt-4o', () => {
    const messages = [{ role: 'user', content: 'How many tokens is this?' }];
    const newer = countChatTokens(messages, { model: 'gpt-4.1-mini-2025-04-14' });
    expect(newer.tokens).toBe(countChatTokens(messages, { model: 'gpt-4o' }).tokens);
    expect(newer.estimated).toBe(true);
    expect(newer.estimateReasons.join(' ')).toContain('gpt-4.1-mini');
  });

  it('resolves provider prefixes and fine-tuned names to the base family', () => {
    const messages = [{ role: 'user', content: 'x' }];
    const base = countChatTokens(messages, { model: 'gpt-4o-mini' });
    expect(countChatTokens(messages, { model: 'azure/gpt-4o-mini' })).toEqual(base);
    expect(countChatTokens(messages, { model: 'ft:gpt-4o-mini-2024-07-18:acme::abc123' })).toEqual(base);
  });

  it('refuses an unknown model unless a default encoding is given, then marks an estimate', () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect(() => countChatTokens(messages, { model: 'llama-3-70b' })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_MODEL' }));
    expect(() => countChatTokens(messages, { model: 'claude-sonnet-4-5' })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_ENCODING' }));
    const result = countChatTokens(messages, { model: 'llama-3-70b', defaultEncoding: 'cl100k_base' });
    expect(result.estimated).toBe(true);
    expect(result.tokens).toBe(3 + textTokens('cl100k_base', 'user') + 1 + 3);
  });
});

describe('images', () => {
  const image = (detail: 'low' | 'high' | 'auto', size?: { width: number; height: number }) => ({
    role: 'user',
    content: [{ type: 'image_url', image_url: { url: 'https://example.invalid/a.png', detail }, ...size }],
  });
  const frame = 3 + 1 + 3; // per message + "user" + reply priming

  it('applies the tile rule (85 + 170 per 512-px tile after scaling)', () => {
    expect(countChatTokens([image('low')], { model: 'gpt-4o' })).toEqual({ tokens: frame + 85, estimated: false, estimateReasons: [] });
    expect(countChatTokens([image('high', { width: 1024, height: 1024 })], { model: 'gpt-4o' }).tokens).toBe(frame + 765);
    expect(countChatTokens([image('high', { width: 2048, height: 4096 })], { model: 'gpt-4o' }).tokens).toBe(frame + 1105);
    expect(countChatTokens([image('high', { width: 100, height: 100 })], { model: 'gpt-4o' }).tokens).toBe(frame + 255);
  });

  it('uses the larger gpt-4o-mini constants (2833 + 5667 per tile)', () => {
    expect(countChatTokens([image('low')], { model: 'gpt-4o-mini' }).tokens).toBe(frame + 2833);
    expect(countChatTokens([image('high', { width: 512, height: 512 })], { model: 'gpt-4o-mini' }).tokens).toBe(frame + 2833 + 5667);
  });

  it('assumes 1024x1024 without a size and says so', () => {
    const result = countChatTokens([image('high')], { model: 'gpt-4o' });
    expect(result.tokens).toBe(frame + 765);
    expect(result.estimated).toBe(true);
    expect(result.estimateReasons.join(' ')).toContain('1024x1024');
  });

  it('caps patch-based images at 1536 patches times the multiplier', () => {
    expect(imageTokens({ kind: 'patches', multiplier: 1 }, 1024, 1024, 'high')).toBe(1024);
    expect(imageTokens({ kind: 'patches', multiplier: 1 }, 1800, 2400, 'high')).toBeLessThanOrEqual(1536);
    expect(imageTokens({ kind: 'patches', multiplier: 1.62 }, 64, 64, 'low')).toBe(Math.ceil(4 * 1.62));
  });
});

describe('tools and tool traffic', () => {
  const weather = {
    type: 'function',
    function: { name: 'get_weather', description: 'Get weather.', parameters: { type: 'object', properties: { city: { type: 'string', description: 'City' } } } },
  };

  it('follows the cookbook constants for a function without enum', () => {
    const withTools = countChatTokens([], { model: 'gpt-4o', tools: [weather] }).tokens;
    const expected = 7 + textTokens('o200k_base', 'get_weather:Get weather') + 3 + 3 + textTokens('o200k_base', 'city:string:City') + 12;
    expect(withTools - 3).toBe(expected);
  });

  it('uses the gpt-4o constants for newer models and marks an estimate', () => {
    const result = countChatTokens([], { model: 'o3', tools: [weather] });
    expect(result.tokens).toBe(countChatTokens([], { model: 'gpt-4o', tools: [weather] }).tokens);
    expect(result.estimateReasons.some((reason) => reason.includes('tool-definition constants'))).toBe(true);
  });

  it('counts assistant tool calls and tool messages as estimates', () => {
    const messages = [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
    ];
    const result = countChatTokens(messages, { model: 'gpt-4o' });
    const expected =
      3 + textTokens('o200k_base', 'assistant') + 3 + textTokens('o200k_base', 'get_weather') + textTokens('o200k_base', '{"city":"Paris"}') +
      3 + textTokens('o200k_base', 'tool') + textTokens('o200k_base', '18C') + textTokens('o200k_base', 'call_1') + 3;
    expect(result.tokens).toBe(expected);
    expect(result.estimated).toBe(true);
  });

  it('adds tool_choice constants and marks them as an estimate', () => {
    const base = countChatTokens([], { model: 'gpt-4o', tools: [weather] }).tokens;
    expect(countChatTokens([], { model: 'gpt-4o', tools: [weather], toolChoice: 'auto' })).toEqual({ tokens: base, estimated: false, estimateReasons: [] });
    expect(countChatTokens([], { model: 'gpt-4o', tools: [weather], toolChoice: 'required' }).tokens).toBe(base + 1);
    const named = countChatTokens([], { model: 'gpt-4o', tools: [weather], toolChoice: { type: 'function', function: { name: 'get_weather' } } });
    expect(named.tokens).toBe(base + 4 + textTokens('o200k_base', 'get_weather'));
    expect(named.estimated).toBe(true);
  });
});
