import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAIServer } from '../src/index.js';

interface ChatVector {
  id: string;
  messages: OpenAI.Chat.ChatCompletionMessageParam[];
  tools?: OpenAI.Chat.ChatCompletionTool[];
  expected: Record<string, number>;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/shared-vectors/chat.json', import.meta.url), 'utf8'),
) as {
  cases: ChatVector[];
};

let mock: MockOpenAIServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI();
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-mock-chat', maxRetries: 0 });
});
afterAll(() => mock.close());

describe('chat usage', () => {
  // The API refuses an empty message list, so the vector for it is checked by the counting function only.
  const sendable = vectors.cases.filter((vector) => vector.messages.length > 0);

  for (const vector of sendable) {
    for (const [model, expected] of Object.entries(vector.expected)) {
      it(`reports the shared vector's prompt tokens for ${vector.id} on ${model}`, async () => {
        const completion = await client.chat.completions.create({
          model,
          messages: vector.messages,
          ...(vector.tools ? { tools: vector.tools } : {}),
        });

        expect(completion.usage?.prompt_tokens).toBe(expected);
      });
    }
  }

  it('adds one token for a message name and counts every field value', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'hello there' },
    ];
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const named = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hello there', name: 'alice' }],
    });

    // "alice" is one o200k token; the name rule adds one more.
    expect((named.usage?.prompt_tokens ?? 0) - (plain.usage?.prompt_tokens ?? 0)).toBe(2);
  });

  it('counts the completion it sends and keeps total = prompt + completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'tell me about deterministic mock servers please' }],
    });
    const usage = completion.usage;

    expect(usage?.completion_tokens).toBe(16);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(completion.choices[0]?.message.content).toMatch(/^tell me about deterministic/);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers the same prompt with the same text', async () => {
    const request = {
      model: 'gpt-4.1',
      messages: [{ role: 'user' as const, content: 'alpha beta gamma' }],
    };
    const first = await client.chat.completions.create(request);
    const second = await client.chat.completions.create(request);

    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
  });

  it('honours max_tokens and max_completion_tokens with finish_reason length', async () => {
    const messages = [
      { role: 'user' as const, content: 'one two three four five six seven eight' },
    ];
    const byMaxTokens = await client.chat.completions.create({
      model: 'gpt-4',
      messages,
      max_tokens: 5,
    });
    const byMaxCompletion = await client.chat.completions.create({
      model: 'gpt-5',
      messages,
      max_completion_tokens: 3,
    });

    expect(byMaxTokens.usage?.completion_tokens).toBe(5);
    expect(byMaxTokens.choices[0]?.finish_reason).toBe('length');
    expect(byMaxCompletion.usage?.completion_tokens).toBe(3);
    expect(byMaxCompletion.choices[0]?.message.content).toBe('one two three');
  });

  it('uses the configured reply length of a model', async () => {
    mock.configureModel('gpt-4o', { completionTokens: 40 });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'short' }],
    });
    mock.configureModel('gpt-4o', { completionTokens: 16 });

    expect(completion.usage?.completion_tokens).toBe(40);
  });
});
