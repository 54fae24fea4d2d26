// The peer range starts at openai 5: the same wrapper on a real openai 5.x client (installed as
// `openai-v5`), against the same local mock server as the 6.x tests.
import type OpenAI from 'openai';
import OpenAIv5 from 'openai-v5';
import { startMockOpenAI, type MockOpenAIServer } from '@tollgate/mock-openai-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapOpenAI, type UsageRecord } from '../src/index.js';
import { API_KEY } from './helpers.js';

let mock: MockOpenAIServer;
beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: API_KEY });
});
afterAll(() => mock.close());

/** A wrapped openai 5.x client and the records it writes. */
function wrappedV5(options: Parameters<typeof wrapOpenAI>[1] = {}): { client: OpenAIv5; records: UsageRecord[] } {
  const records: UsageRecord[] = [];
  const raw = new OpenAIv5({ baseURL: mock.url, apiKey: API_KEY, maxRetries: 0 });
  // The wrapper's types come from the openai the user installed; here that is 6.x, hence the casts.
  const client = wrapOpenAI(raw as unknown as OpenAI, { ...options, onUsage: (record) => records.push(record) }) as unknown as OpenAIv5;
  return { client, records };
}

const messages = [{ role: 'user' as const, content: 'Counting words with the fifth major version of the SDK.' }];

describe('wrapOpenAI on an openai 5.x client', () => {
  it('is a 5.x client, and a chat completion records the provider usage it counted exactly', async () => {
    expect(OpenAIv5.name).toBe('OpenAI');
    const { client, records } = wrappedV5();
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'chat.completions', status: 'ok', usageSource: 'provider', promptTokens: completion.usage?.prompt_tokens });
    expect(records[0]?.promptTokensCounted).toBe(completion.usage?.prompt_tokens);
  });

  it('streams with the usage chunk hidden from the caller and recorded once', async () => {
    const { client, records } = wrappedV5();
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.choices.length > 0 && chunk.usage == null)).toBe(true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ streamed: true, status: 'ok', usageSource: 'provider' });
    expect(records[0]?.promptTokens).toBe(records[0]?.promptTokensCounted);
  });

  it('keeps the SDK helpers: withResponse, and embeddings', async () => {
    const { client, records } = wrappedV5();
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(response.status).toBe(200);
    expect(data.object).toBe('chat.completion');
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'] });
    expect(embedding.data).toHaveLength(2);
    expect(records.map((record) => record.operation)).toEqual(['chat.completions', 'embeddings']);
    expect(records.every((record) => record.status === 'ok' && record.usageSource === 'provider')).toBe(true);
  });

  it('routes over two deployments through its own pools, as on 6.x', async () => {
    const other = await startMockOpenAI({ apiKey: API_KEY });
    try {
      const deployments = { 'gpt-4o': [{ id: 'a', baseURL: mock.url, apiKey: API_KEY }, { id: 'b', baseURL: other.url, apiKey: API_KEY }] };
      const { client, records } = wrappedV5({ deployments, routing: { seed: 7 } });
      for (let index = 0; index < 8; index += 1) await client.chat.completions.create({ model: 'gpt-4o', messages });
      expect(new Set(records.map((record) => record.deployment))).toEqual(new Set(['a', 'b']));
      expect(records.every((record) => record.status === 'ok' && record.promptTokens === record.promptTokensCounted)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
