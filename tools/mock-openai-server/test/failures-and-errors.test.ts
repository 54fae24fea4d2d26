import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAIServer } from '../src/index.js';

const API_KEY = 'sk-mock-secret-0123456789';
let mock: MockOpenAIServer;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'hello failures' }];

beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: API_KEY, maxBodyBytes: 64 * 1024 });
  client = new OpenAI({ baseURL: mock.url, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(() => mock.close());

describe('errors and failure injection', () => {
  it('answers a wrong key with 401 in OpenAI shape, without echoing the key', async () => {
    const wrong = new OpenAI({ baseURL: mock.url, apiKey: 'sk-wrong-key-987654', maxRetries: 0 });
    const error = await wrong.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    expect(JSON.stringify((error as Error & { error: unknown }).error)).not.toContain(
      'sk-wrong-key',
    );
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-such-model', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('answers malformed JSON with 400 and an OpenAI error body', async () => {
    const response = await fetch(`${mock.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: '{"model": "gpt-4o", "messages": [',
    });
    const body = (await response.json()) as { error: { type: string } };

    expect(response.status).toBe(400);
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('answers a body over the size limit with 413', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] })
      .catch((caught: unknown) => caught);

    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
  });

  it('fails the next n requests with the injected status and retry-after', async () => {
    mock.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((caught: unknown) => caught);
    const after = await client.chat.completions.create({ model: 'gpt-4o', messages });

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe(
      '7',
    );
    expect(after.choices).toHaveLength(1);
    expect(mock.stats().failuresInjected).toBe(1);
  });

  it('lets the SDK retry through injected 503s', async () => {
    const retrying = new OpenAI({ baseURL: mock.url, apiKey: API_KEY, maxRetries: 2 });
    mock.failNext(2, { status: 503, retryAfterSeconds: 0 });
    const completion = await retrying.chat.completions.create({ model: 'gpt-4o', messages });

    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('drops a non-streaming response mid-body', async () => {
    mock.dropNext(1);
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(mock.stats().dropsInjected).toBeGreaterThanOrEqual(1);
  });

  it('drops a stream after its first content chunk', async () => {
    mock.dropNext(1);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(received).toEqual(['', 'hello']);
  });

  it('records requests without the Authorization header', async () => {
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    const last = mock.requests.at(-1);

    expect(last?.path).toBe('/v1/chat/completions');
    expect(last?.body).toMatchObject({ model: 'gpt-4o' });
    expect(JSON.stringify(mock.requests)).not.toContain(API_KEY);
    expect(last?.headers.authorization).toBeUndefined();
  });

  it('closes open streams when the server closes', async () => {
    const slow = await startMockOpenAI({ models: { 'gpt-4o': { chunkDelayMs: 10_000 } } });
    const slowClient = new OpenAI({ baseURL: slow.url, apiKey: 'sk-x', maxRetries: 0 });
    const stream = await slowClient.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const iterating = (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((caught: unknown) => caught);

    await slow.close();

    expect(await iterating).toBeInstanceOf(Error);
  });
});
