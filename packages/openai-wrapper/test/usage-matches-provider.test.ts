import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCost } from '../src/core.js';
import { getUsageStats } from '../src/index.js';
import { startHarness, type Harness } from './helpers.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.mock.close());

const plainChats: Array<{ model: string; messages: OpenAI.Chat.ChatCompletionMessageParam[] }> = [
  { model: 'gpt-4o', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
  {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'List three prime numbers.', name: 'alice' },
      { role: 'assistant', content: '2, 3, 5' },
      { role: 'user', content: [{ type: 'text', text: 'And three more, please.' }] },
    ],
  },
  {
    model: 'gpt-4',
    messages: [
      { role: 'user', content: 'Correct the spelling and grammar\n\nShe no went to the market.' },
    ],
  },
  {
    model: 'gpt-3.5-turbo',
    messages: [
      { role: 'system', content: 'Übersetze ins Deutsche.' },
      { role: 'user', content: 'Good morning 🌅' },
    ],
  },
];

describe('usage of a wrapped client', () => {
  for (const chat of plainChats) {
    it(`counts the same prompt tokens as the provider for a plain ${chat.model} chat`, async () => {
      harness.records.length = 0;
      const completion = await harness.wrapped.chat.completions.create(chat);
      const record = harness.records[0];

      expect(harness.records).toHaveLength(1);
      expect(record?.promptTokensCounted).toBe(completion.usage?.prompt_tokens);
      expect(record?.usageSource).toBe('provider');
      expect(record?.promptTokens).toBe(completion.usage?.prompt_tokens);
      expect(record?.completionTokens).toBe(completion.usage?.completion_tokens);
      expect(record?.totalTokens).toBe(completion.usage?.total_tokens);
    });
  }

  it('records the provider usage of a stream and its cost', async () => {
    harness.records.length = 0;
    const stream = await harness.wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages: plainChats[0]!.messages,
      stream: true,
    });
    for await (const chunk of stream) void chunk;
    const server = harness.mock.stats().byModel['gpt-4o'];
    const record = harness.records[0];
    const request = harness.mock.requests.at(-1)?.body as { messages: unknown[] };

    expect(harness.records).toHaveLength(1);
    expect(record?.streamed).toBe(true);
    expect(record?.usageSource).toBe('provider');
    expect(record?.promptTokens).toBe(record?.promptTokensCounted);
    expect(record?.completionTokens).toBe(16);
    expect(record?.costUsd).toBeCloseTo(
      estimateCost({
        model: 'gpt-4o',
        usage: { prompt_tokens: record?.promptTokens, completion_tokens: 16 },
      }).totalUsd,
      12,
    );
    expect(record?.costUsd).toBeGreaterThan(0);
    expect(server?.requests).toBeGreaterThan(0);
    expect(request.messages).toEqual(plainChats[0]!.messages);
  });

  it('sums records per model in stats()', async () => {
    const before = getUsageStats(harness.wrapped)?.byModel['gpt-4.1-mini']?.requests ?? 0;
    const first = await harness.wrapped.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'a b c' }],
    });
    const second = await harness.wrapped.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'd e f g' }],
      max_tokens: 3,
    });
    const stats = getUsageStats(harness.wrapped)?.byModel['gpt-4.1-mini'];

    expect(before).toBe(0);
    expect(stats?.requests).toBe(2);
    expect(stats?.promptTokensReported).toBe(
      (first.usage?.prompt_tokens ?? 0) + (second.usage?.prompt_tokens ?? 0),
    );
    expect(stats?.promptTokensCounted).toBe(stats?.promptTokensReported);
    expect(stats?.completionTokens).toBe(16 + 3);
    expect(stats?.errors).toBe(0);
    expect(stats?.streamed).toBe(0);
    expect(stats?.costUsd).toBeGreaterThan(0);
  });
});
