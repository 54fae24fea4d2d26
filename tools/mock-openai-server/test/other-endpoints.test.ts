import OpenAI from 'openai';
import { getEncoding } from 'js-tiktoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAIServer } from '../src/index.js';

let mock: MockOpenAIServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI();
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-mock-other', maxRetries: 0 });
});
afterAll(() => mock.close());

describe('embeddings, completions and models', () => {
  it('returns deterministic unit vectors through the SDK base64 path with cl100k usage', async () => {
    const input = ['first text to embed', 'second'];
    const first = await client.embeddings.create({ model: 'text-embedding-3-small', input });
    const second = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input,
      encoding_format: 'float',
    });
    const encoding = getEncoding('cl100k_base');
    const expectedTokens = input.reduce((sum, text) => sum + encoding.encode(text).length, 0);
    const vector = first.data[0]?.embedding ?? [];

    expect(mock.requests.at(-2)?.body).toMatchObject({ encoding_format: 'base64' });
    expect(vector).toHaveLength(1536);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(second.data[0]?.embedding).toEqual(vector);
    expect(first.data[1]?.embedding).not.toEqual(vector);
    expect(first.usage.prompt_tokens).toBe(expectedTokens);
  });

  it('honours dimensions', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: 'x',
      dimensions: 256,
    });

    expect(result.data[0]?.embedding).toHaveLength(256);
  });

  it('answers legacy completions with usage, streaming or not', async () => {
    const whole = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 4,
    });
    const stream = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let completionTokens = -1;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }

    expect(whole.choices[0]?.text).toBe('Say this is a');
    expect(whole.usage?.prompt_tokens).toBe(
      getEncoding('cl100k_base').encode('Say this is a test').length,
    );
    expect(text).toBe(whole.choices[0]?.text);
    expect(completionTokens).toBe(4);
  });

  it('lists its models and 404s an unknown one', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    const error = await client.models.retrieve('nope').catch((caught: unknown) => caught);

    expect(ids).toContain('gpt-4o');
    expect(ids).toContain('text-embedding-3-small');
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
