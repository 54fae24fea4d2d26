import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countChatTokens } from '../src/chat/count-chat-tokens.js';
import type { ChatMessage, ChatToolDefinition } from '../src/chat/chat-types.js';

interface ChatVector {
  id: string;
  messages: ChatMessage[];
  tools?: ChatToolDefinition[];
  expected: Record<string, number>;
}

const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/shared-vectors/chat.json', import.meta.url), 'utf8')) as {
  cases: ChatVector[];
};

describe('countChatTokens matches the shared chat vectors exactly', () => {
  const cases = vectors.cases.flatMap((vector) => Object.entries(vector.expected).map(([model, expected]) => ({ vector, model, expected })));

  it('covers every case and model of chat.json', () => {
    expect(cases.length).toBe(8);
  });

  it.each(cases.map(({ vector, model, expected }) => [vector.id, model, expected, vector] as const))(
    '%s with %s = %i',
    (_id, model, expected, vector) => {
      const result = countChatTokens(vector.messages, { model, tools: vector.tools });
      expect(result.tokens).toBe(expected);
      // Every vector model is a cookbook family, so none of these counts is an estimate.
      expect(result.estimateReasons).toEqual([]);
      expect(result.estimated).toBe(false);
    },
  );

  it('counts a single text part exactly like the plain string', () => {
    const vector = vectors.cases.find((item) => item.id === 'content-parts-equal-string');
    const parts = vector!.messages[0]!;
    const text = (parts.content as unknown as Array<{ text: string }>)[0]!.text;
    const asString = countChatTokens([{ role: 'user', content: text }], { model: 'gpt-4o' });
    expect(countChatTokens([parts], { model: 'gpt-4o' })).toEqual(asString);
  });
});
