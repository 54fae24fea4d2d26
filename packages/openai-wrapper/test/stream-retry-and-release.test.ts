import OpenAI from 'openai';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeWrapper, getStats, wrapOpenAI, type UsageRecord } from '../src/index.js';
import { fallbackLimiter, limiterHook } from './support/limiter-hook.js';
import { dropBeforeFirstEvent, startMocks, startScriptedServer, UNUSED_BASE_URL, type ScriptedServer } from './support/local-servers.js';
import { waitFor } from './helpers.js';

let mocks: MockOpenAIServer[];
let keys: string[];
let dropper: ScriptedServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'one two three four five six seven eight nine ten' },
];

beforeAll(async () => {
  ({ mocks, keys } = await startMocks(2));
  dropper = await startScriptedServer(dropBeforeFirstEvent);
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await Promise.all([...mocks.map((mock) => mock.close()), dropper.close()]);
});
afterEach(() => {
  for (const mock of mocks) mock.reset();
  expect(unhandled).toEqual([]);
});

async function drain(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

describe('routed streams', () => {
  it('retries a stream that fails before its first chunk on another deployment', async () => {
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: {
        'gpt-4o': [
          { id: 'dropper', baseURL: dropper.url, apiKey: 'sk-dropper', weight: 1000 },
          { id: 'good', baseURL: mocks[0]!.url, apiKey: keys[0], weight: 1 },
        ],
      },
      routing: { retries: 1, backoffBaseMs: 1, seed: 3 },
      onUsage: (record) => records.push(record),
    });
    const plain = new OpenAI({ apiKey: keys[0], baseURL: mocks[0]!.url, maxRetries: 0 });

    const text = await drain(await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true }));
    const expected = await drain(await plain.chat.completions.create({ model: 'gpt-4o', messages, stream: true }));

    expect(text).toBe(expected);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'ok', deployment: 'good', attempts: 2, usageSource: 'provider', streamed: true });
    expect(records[0]!.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(getStats(client)?.deployments.map((row) => row.inFlight)).toEqual([0, 0]);
    await closeWrapper(client);
  });

  it('does not retry once a chunk was delivered: one error record, one request, leases released', async () => {
    const records: UsageRecord[] = [];
    const limiter = fallbackLimiter({ maxInFlight: 1 });
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: {
        'gpt-4o': [
          { id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0], weight: 1000 },
          { id: 'b', baseURL: mocks[1]!.url, apiKey: keys[1], weight: 1 },
        ],
      },
      routing: { retries: 2, backoffBaseMs: 1, seed: 5 },
      limits: { limiter: limiterHook({ 'model:': limiter }) },
      onUsage: (record) => records.push(record),
    });
    mocks[0]!.dropNext(1);

    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const error = await drain(stream).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'error', deployment: 'a', attempts: 1, usageSource: 'estimated' });
    expect(mocks[0]!.stats().requests + mocks[1]!.stats().requests).toBe(1);
    expect(getStats(client)?.deployments.map((row) => row.inFlight)).toEqual([0, 0]);
    expect(limiter.tryAcquire('model:gpt-4o').allowed).toBe(true);
    await closeWrapper(client);
  });

  it('an early break ends the call once and frees the limiter slot for the next call', async () => {
    const records: UsageRecord[] = [];
    const limiter = fallbackLimiter({ maxInFlight: 1 });
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: { 'gpt-4o': [{ id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0] }] },
      limits: { limiter: limiterHook({ 'model:': limiter }) },
      onUsage: (record) => records.push(record),
    });
    mocks[0]!.configureModel('gpt-4o', { chunkDelayMs: 5 });

    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let seen = 0;
    for await (const chunk of stream) {
      void chunk;
      if (++seen === 2) break;
    }
    const next = await client.chat.completions.create({ model: 'gpt-4o', messages });
    mocks[0]!.configureModel('gpt-4o', { chunkDelayMs: 0 });

    expect(next.choices).toHaveLength(1);
    expect(records.map((record) => record.status)).toEqual(['aborted', 'ok']);
    expect(records[1]!.limiterWaitMs).toBeLessThan(50);
    expect(stream.controller.signal.aborted).toBe(true);
    expect(getStats(client)?.deployments[0]?.inFlight).toBe(0);
    await closeWrapper(client);
  });

  it('an abort while waiting in the limiter throws the SDK abort error and records one aborted call', async () => {
    const records: UsageRecord[] = [];
    const limiter = fallbackLimiter({ maxInFlight: 1 });
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: { 'gpt-4o': [{ id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0] }] },
      limits: { limiter: limiterHook({ 'model:': limiter }) },
      onUsage: (record) => records.push(record),
    });
    const holder = limiter.tryAcquire('model:gpt-4o');
    const controller = new AbortController();

    const pending = client.chat.completions.create({ model: 'gpt-4o', messages }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await pending.catch((caught: unknown) => caught);
    holder.lease?.release();

    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(await waitFor(() => records.length === 1)).toBe(true);
    expect(records[0]).toMatchObject({ status: 'aborted', attempts: 0, usageSource: 'none' });
    expect(records[0]!.limiterWaitMs).toBeGreaterThanOrEqual(20);
    expect(mocks[0]!.stats().requests).toBe(0);
    await closeWrapper(client);
  });

  it('hides a usage chunk whose choices is null, as some compatible servers send it', async () => {
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: keys[1], baseURL: mocks[1]!.url, maxRetries: 0 }), {
      onUsage: (record) => records.push(record),
    });
    mocks[1]!.configureModel('gpt-4o', { usageChunkChoices: 'null' });

    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })) chunks.push(chunk);
    mocks[1]!.configureModel('gpt-4o', { usageChunkChoices: 'empty' });

    expect(chunks.every((chunk) => Array.isArray(chunk.choices) && chunk.choices.length > 0)).toBe(true);
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(records[0]).toMatchObject({ status: 'ok', usageSource: 'provider' });
    expect(records[0]!.completionTokens).toBeGreaterThan(0);
  });
});
