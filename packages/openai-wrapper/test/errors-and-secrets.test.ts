import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUsageStats, USAGE_CHANNEL, wrapOpenAI, type UsageRecord } from '../src/index.js';
import { API_KEY, startHarness, waitFor, type Harness } from './helpers.js';

let harness: Harness;
const published: unknown[] = [];
const onPublished = (message: unknown) => published.push(message);
const SECRET_PROMPT = 'my-private-prompt-text zebra quokka';
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: SECRET_PROMPT },
];

beforeAll(async () => {
  harness = await startHarness({ models: { 'acme-large': { encoding: 'cl100k_base' } } });
  subscribe(USAGE_CHANNEL, onPublished);
});
afterAll(async () => {
  unsubscribe(USAGE_CHANNEL, onPublished);
  await harness.mock.close();
});

describe('errors, unknown models and secrets', () => {
  it('surfaces a 429 as the SDK’s RateLimitError and records an error', async () => {
    harness.records.length = 0;
    harness.mock.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const error = await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(await waitFor(() => harness.records.length === 1)).toBe(true);
    expect(harness.records[0]).toMatchObject({
      status: 'error',
      usageSource: 'none',
      costUnavailableReason: 'no-usage',
      error: { name: 'RateLimitError', status: 429, code: 'rate_limit_exceeded' },
    });
    expect(getUsageStats(harness.wrapped)?.byModel['gpt-4o']?.errors).toBe(1);
  });

  it('surfaces a 429 on a streaming call the same way', async () => {
    harness.records.length = 0;
    harness.mock.failNext(1, { status: 429 });
    const error = await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages, stream: true })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(await waitFor(() => harness.records.length === 1)).toBe(true);
    expect(harness.records[0]?.streamed).toBe(true);
  });

  it('records usage of an unknown model with no cost and says why', async () => {
    harness.records.length = 0;
    const completion = await harness.wrapped.chat.completions.create({
      model: 'acme-large',
      messages,
    });
    const record = harness.records[0];

    expect(record?.usageSource).toBe('provider');
    expect(record?.promptTokens).toBe(completion.usage?.prompt_tokens);
    expect(record?.costUsd).toBeUndefined();
    expect(record?.costUnavailableReason).toBe('unknown-model');
    expect(record?.promptTokensCountedEstimated).toBe(true);
    expect(getUsageStats(harness.wrapped)?.byModel['acme-large']?.costUnavailable).toBe(1);
  });

  it('publishes one message per call on tollgate:openai:usage', async () => {
    published.length = 0;
    harness.records.length = 0;
    await harness.wrapped.chat.completions.create({ model: 'gpt-4o', messages });
    const stream = await harness.wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    for await (const chunk of stream) void chunk;

    expect(published).toHaveLength(2);
    expect(published).toEqual(harness.records);
  });

  it('keeps a call working when onUsage throws', async () => {
    const client = wrapOpenAI(
      new OpenAI({ baseURL: harness.mock.url, apiKey: API_KEY, maxRetries: 0 }),
      {
        onUsage: () => {
          throw new Error('handler failed');
        },
      },
    );
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });

    expect(completion.choices).toHaveLength(1);
    expect(getUsageStats(client)?.total.requests).toBe(1);
  });

  it('never puts the API key or the prompt text into a record, an event or a TollgateOpenAIError', async () => {
    harness.mock.failNext(1, { status: 500 });
    await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch(() => undefined);
    const wrongKey = wrapOpenAI(
      new OpenAI({ baseURL: harness.mock.url, apiKey: `${API_KEY}-wrong`, maxRetries: 0 }),
      {
        onUsage: (record) => harness.records.push(record),
      },
    );
    const authError = await wrongKey.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((caught: unknown) => caught);
    let wrapError: unknown;
    try {
      wrapOpenAI(harness.wrapped);
    } catch (caught) {
      wrapError = caught;
    }
    await waitFor(() =>
      harness.records.some((record: UsageRecord) => record.error?.status === 500),
    );
    await waitFor(() =>
      harness.records.some((record: UsageRecord) => record.error?.status === 401),
    );
    const everything = JSON.stringify({
      records: harness.records,
      published,
      wrapError: { ...(wrapError as object), message: (wrapError as Error).message },
    });

    expect(authError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(harness.records.map((record) => record.error?.status)).toEqual(
      expect.arrayContaining([500, 401]),
    );
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain('zebra');
    expect(everything.toLowerCase()).not.toContain('bearer');
  });
});
