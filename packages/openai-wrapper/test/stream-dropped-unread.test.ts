import OpenAI from 'openai';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWrapper, getStats, wrapOpenAI, type UsageRecord } from '../src/index.js';
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

/** Collects garbage until `done` holds (finalizers run in later tasks); at most about 3 s. */
async function collectUntil(done: () => boolean): Promise<boolean> {
  for (let round = 0; round < 150 && !done(); round += 1) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return done();
}

function wrapped(records: UsageRecord[], limiter: ReturnType<typeof fallbackLimiter>): OpenAI {
  return wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
    deployments: { 'gpt-4o': [{ id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0] }] },
    limits: { limiter: limiterHook({ 'model:': limiter }) },
    onUsage: (record) => records.push(record),
  });
}

describe('a stream the caller never reads', () => {
  it('ends its call once it is garbage-collected, freeing the limiter and router slots', async () => {
    const records: UsageRecord[] = [];
    const limiter = fallbackLimiter({ maxInFlight: 1 });
    const client = wrapped(records, limiter);
    await (async () => void (await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })))();
    expect(getStats(client)?.deployments[0]?.inFlight).toBe(1);
    expect(limiter.tryAcquire('model:gpt-4o').allowed).toBe(false);

    expect(await collectUntil(() => records.length > 0)).toBe(true);
    expect(records.map((record) => record.status)).toEqual(['aborted']);
    expect(getStats(client)?.deployments[0]?.inFlight).toBe(0);
    const next = await client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(next.choices).toHaveLength(1);
    expect(records.map((record) => record.status)).toEqual(['aborted', 'ok']);
    await closeWrapper(client);
  });

  it('is left alone once anything reads it, even when the stream object itself is dropped (tee)', async () => {
    const records: UsageRecord[] = [];
    const client = wrapped(records, fallbackLimiter({ maxInFlight: 2 }));
    const [left, right] = await (async () => (await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })).tee())();
    for (let round = 0; round < 5; round += 1) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const texts: string[] = [];
    for (const half of [left, right]) {
      let text = '';
      for await (const chunk of half) text += chunk.choices[0]?.delta.content ?? '';
      texts.push(text);
    }
    expect(texts[0]!.length).toBeGreaterThan(0);
    expect(texts[1]).toBe(texts[0]);
    expect(records.map((record) => record.status)).toEqual(['ok']);
    await closeWrapper(client);
  });
});
