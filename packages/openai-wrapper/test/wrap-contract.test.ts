import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUsageStats, isWrapped, TollgateOpenAIError, wrapOpenAI } from '../src/index.js';
import { API_KEY, startHarness, type Harness } from './helpers.js';

let harness: Harness;
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'contract check words' },
];

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.mock.close());

describe('wrapOpenAI contract', () => {
  it('returns the same client and leaves every other method as it was', () => {
    const client = new OpenAI({ baseURL: harness.mock.url, apiKey: API_KEY });
    const embeddingsCreate = client.embeddings.create;
    const chat = client.chat;
    const completions = client.chat.completions;
    const retrieve = client.chat.completions.retrieve;
    const originalCreate = client.chat.completions.create;

    const result = wrapOpenAI(client);

    expect(result).toBe(client);
    expect(client.chat).toBe(chat);
    expect(client.chat.completions).toBe(completions);
    expect(client.embeddings.create).toBe(embeddingsCreate);
    expect(client.chat.completions.retrieve).toBe(retrieve);
    expect(client.chat.completions.create).not.toBe(originalCreate);
    expect(isWrapped(client)).toBe(true);
    expect(isWrapped(new OpenAI({ baseURL: harness.mock.url, apiKey: API_KEY }))).toBe(false);
  });

  it('refuses to wrap a client twice with ERR_ALREADY_WRAPPED', () => {
    const error = (() => {
      try {
        wrapOpenAI(harness.wrapped);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(TollgateOpenAIError);
    expect((error as TollgateOpenAIError).code).toBe('ERR_ALREADY_WRAPPED');
    expect(TollgateOpenAIError.isInstance(error)).toBe(true);
  });

  it('refuses bad arguments with ERR_INVALID_ARGUMENT naming the field', () => {
    const client = new OpenAI({ baseURL: harness.mock.url, apiKey: API_KEY });
    const notAClient = (() => {
      try {
        wrapOpenAI({} as OpenAI);
      } catch (caught) {
        return caught as TollgateOpenAIError;
      }
    })();
    const badHandler = (() => {
      try {
        wrapOpenAI(client, { onUsage: 'log' as never });
      } catch (caught) {
        return caught as TollgateOpenAIError;
      }
    })();

    expect(notAClient?.code).toBe('ERR_INVALID_ARGUMENT');
    expect(notAClient?.field).toBe('client');
    expect(badHandler?.code).toBe('ERR_INVALID_ARGUMENT');
    expect(badHandler?.message).toBe('Expected `options.onUsage` to be a function, got "log".');
    expect(isWrapped(client)).toBe(false);
  });

  it('keeps withResponse() and _request_id', async () => {
    harness.records.length = 0;
    const { data, response, request_id } = await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages })
      .withResponse();

    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_mock_/);
    expect((data as { _request_id?: string | null })._request_id).toBe(request_id);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(harness.records).toHaveLength(1);
    expect(harness.records[0]?.requestId).toBe(request_id);
  });

  it('keeps withResponse() for streams', async () => {
    const { data, response } = await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages, stream: true })
      .withResponse();
    let chunks = 0;
    for await (const chunk of data) chunks += chunk.choices.length;

    expect(response.headers.get('content-type')).toMatch(/event-stream/);
    expect(chunks).toBeGreaterThan(2);
  });

  it('keeps asResponse() returning the raw response', async () => {
    const response = await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages })
      .asResponse();
    const body = (await response.json()) as OpenAI.Chat.ChatCompletion;

    expect(body.object).toBe('chat.completion');
  });

  it('tracks the SDK helpers built on create: parse() and stream()', async () => {
    harness.records.length = 0;
    const parsed = await harness.wrapped.chat.completions.parse({ model: 'gpt-4o-mini', messages });
    const runner = harness.wrapped.chat.completions.stream({ model: 'gpt-4o-mini', messages });
    const final = await runner.finalChatCompletion();

    expect(parsed.choices[0]?.message.content).toBeTypeOf('string');
    expect(final.choices[0]?.message.content).toBe(parsed.choices[0]?.message.content);
    expect(harness.records.map((record) => [record.streamed, record.usageSource])).toEqual([
      [false, 'provider'],
      [true, 'provider'],
    ]);
  });

  it('gives each wrapped client its own stats', async () => {
    const other = wrapOpenAI(
      new OpenAI({ baseURL: harness.mock.url, apiKey: API_KEY, maxRetries: 0 }),
    );
    await other.chat.completions.create({ model: 'gpt-5-mini', messages });

    expect(getUsageStats(other)?.total.requests).toBe(1);
    expect(getUsageStats(harness.wrapped)?.byModel['gpt-5-mini']).toBeUndefined();
  });
});
