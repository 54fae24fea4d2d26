import OpenAI from 'openai';
import OpenAIv5 from 'openai-v5';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWrapper, wrapOpenAI, type UsageRecord } from '../src/index.js';
import { fallbackLimiter, limiterHook } from './support/limiter-hook.js';
import { collectGarbage } from './support/garbage.js';
import { startMocks, UNUSED_BASE_URL } from './support/local-servers.js';

let mocks: MockOpenAIServer[];
let keys: string[];
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'one two three four five six seven eight nine ten' }];

beforeAll(async () => {
  ({ mocks, keys } = await startMocks(1));
  mocks[0]!.configureModel('gpt-4o', { chunkDelayMs: 5 });
});
afterAll(() => Promise.all(mocks.map((mock) => mock.close())));

async function churn(rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function wrapped(records: UsageRecord[], raw: OpenAI = new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 })): OpenAI {
  return wrapOpenAI(raw, {
    deployments: { 'gpt-4o': [{ id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0] }] },
    limits: { limiter: limiterHook({ 'model:': fallbackLimiter({ maxInFlight: 4 }) }) },
    onUsage: (record) => records.push(record),
  });
}

async function readAll(iterable: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>): Promise<string> {
  let text = '';
  for await (const chunk of iterable) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

describe('the finalizer of unread streams, on streams that are read', () => {
  it('leaves alone a stream held only by a timer closure and read after garbage collections', async () => {
    const records: UsageRecord[] = [];
    const client = wrapped(records);
    const later = client.chat.completions
      .create({ model: 'gpt-4o', messages, stream: true })
      .then((stream) => new Promise<typeof stream>((resolve) => setTimeout(() => resolve(stream), 250)));
    await churn();
    const text = await readAll(await later);
    expect(text.length).toBeGreaterThan(0);
    expect(records.map((record) => record.status)).toEqual(['ok']);
    await closeWrapper(client);
  });

  it('leaves alone a stream turned into a ReadableStream and dropped', async () => {
    const records: UsageRecord[] = [];
    const client = wrapped(records);
    const readable = await (async () => (await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })).toReadableStream())();
    await churn();
    const reader = readable.getReader();
    let bytes = 0;
    for (let round = 0; round < 10_000; round += 1) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += (value as Uint8Array).byteLength;
    }
    expect(bytes).toBeGreaterThan(0);
    expect(records.map((record) => record.status)).toEqual(['ok']);
    await closeWrapper(client);
  });

  it('leaves alone the stream inside the SDK chat.completions.stream() helper while collections run', async () => {
    const records: UsageRecord[] = [];
    const client = wrapped(records);
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages });
    const churning = churn(15);
    const completion = await runner.finalChatCompletion();
    await churning;
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(records.map((record) => record.status)).toEqual(['ok']);
    await closeWrapper(client);
  });

  it('ends a dropped unread stream of an openai 5.x client too', async () => {
    const records: UsageRecord[] = [];
    const raw = new OpenAIv5({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }) as unknown as OpenAI;
    const client = wrapped(records, raw);
    await (async () => void (await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })))();
    for (let round = 0; round < 150 && records.length === 0; round += 1) await churn(1);
    expect(records.map((record) => record.status)).toEqual(['aborted']);
    await closeWrapper(client);
  });
});
