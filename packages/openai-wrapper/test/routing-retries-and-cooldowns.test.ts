import OpenAI from 'openai';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWrapper, getStats, wrapOpenAI, type UsageRecord, type WrapOpenAIOptions } from '../src/index.js';
import { startMocks, UNUSED_BASE_URL } from './support/local-servers.js';

let mocks: MockOpenAIServer[];
let keys: string[];
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'route me please' }];

beforeAll(async () => {
  ({ mocks, keys } = await startMocks(2));
});
afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
});

function routedClient(options: Partial<WrapOpenAIOptions> = {}, weights = [1000, 1]) {
  const records: UsageRecord[] = [];
  const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
    deployments: {
      'gpt-4o': [
        { id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0], weight: weights[0] },
        { id: 'b', baseURL: mocks[1]!.url, apiKey: keys[1], weight: weights[1] },
      ],
    },
    routing: { retries: 2, backoffBaseMs: 1, allowedFails: 0, cooldownMs: 60_000, seed: 11 },
    onUsage: (record) => records.push(record),
    ...options,
  });
  for (const mock of mocks) mock.reset();
  return { client, records };
}

describe('routing with retries and cooldowns', () => {
  it('retries a 429 on the other deployment and cools the first for its Retry-After', async () => {
    const { client, records } = routedClient();
    mocks[0]!.failNext(1, { status: 429, retryAfterSeconds: 30 });
    const before = Date.now();

    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const cooled = getStats(client)?.deployments.find((row) => row.id === 'a');
    for (let index = 0; index < 3; index += 1) await client.chat.completions.create({ model: 'gpt-4o', messages });

    expect(completion.choices[0]?.message.content).toBeTypeOf('string');
    expect(records[0]).toMatchObject({ status: 'ok', deployment: 'b', attempts: 2, usageSource: 'provider' });
    expect(cooled?.cooling).toBe(true);
    expect(cooled!.coolingUntilMs - before).toBeGreaterThanOrEqual(29_000);
    expect(records.slice(1).map((record) => record.deployment)).toEqual(['b', 'b', 'b']);
    expect(mocks[0]!.stats().requests).toBe(1);
    expect(mocks[1]!.requests.every((request) => (request.body as { model: string }).model === 'gpt-4o')).toBe(true);
    await closeWrapper(client);
  });

  it('throws the SDK error of the last attempt when every deployment fails, with in-flight back to 0', async () => {
    const { client, records } = routedClient();
    mocks[0]!.failNext(5, { status: 500 });
    mocks[1]!.failNext(5, { status: 503 });

    const error = await client.chat.completions.create({ model: 'gpt-4o', messages }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect([500, 503]).toContain((error as InstanceType<typeof OpenAI.APIError>).status);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'error', attempts: 2, usageSource: 'none' });
    expect(getStats(client)?.deployments.map((row) => row.inFlight)).toEqual([0, 0]);
    await closeWrapper(client);
  });

  it('does not retry a 400 and does not cool the deployment', async () => {
    const { client, records } = routedClient();
    mocks[0]!.failNext(1, { status: 400 });

    const error = await client.chat.completions.create({ model: 'gpt-4o', messages }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(records[0]).toMatchObject({ status: 'error', attempts: 1, deployment: 'a' });
    expect(mocks[1]!.stats().requests).toBe(0);
    expect(getStats(client)?.deployments.find((row) => row.id === 'a')?.cooling).toBe(false);
    await closeWrapper(client);
  });

  it('waits out Retry-After when the only deployment asked for it, then succeeds there', async () => {
    const delays: number[] = [];
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: { 'gpt-4o': [{ id: 'only', baseURL: mocks[0]!.url, apiKey: keys[0] }] },
      routing: {
        retries: 1,
        backoffBaseMs: 1,
        allowedFails: 0,
        sleep: (ms) => {
          delays.push(ms);
          return new Promise((resolve) => setTimeout(resolve, ms));
        },
      },
      onUsage: (record) => records.push(record),
    });
    mocks[0]!.reset();
    mocks[0]!.failNext(1, { status: 429, retryAfterSeconds: 1 });

    await client.chat.completions.create({ model: 'gpt-4o', messages });

    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect(records[0]).toMatchObject({ status: 'ok', deployment: 'only', attempts: 2 });
    expect(mocks[0]!.stats().requests).toBe(2);
    await closeWrapper(client);
  });

  it('moves to a fallback model group when the first group is exhausted', async () => {
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: {
        'gpt-4o': [{ id: 'main', baseURL: mocks[0]!.url, apiKey: keys[0] }],
        'gpt-4o-mini': [{ id: 'spare', baseURL: mocks[1]!.url, apiKey: keys[1] }],
      },
      routing: { retries: 0, allowedFails: 0, fallbacks: { 'gpt-4o': ['gpt-4o-mini'] } },
      onUsage: (record) => records.push(record),
    });
    for (const mock of mocks) mock.reset();
    mocks[0]!.failNext(1, { status: 500 });

    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });

    expect(completion.model).toBe('gpt-4o-mini');
    expect(records[0]).toMatchObject({ model: 'gpt-4o', servedModel: 'gpt-4o-mini', deployment: 'spare', attempts: 2 });
    expect((mocks[1]!.requests[0]?.body as { model: string }).model).toBe('gpt-4o-mini');
    await closeWrapper(client);
  });

  it('sends the provider model id and the deployment key, never the client key', async () => {
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: { fast: [{ id: 'fast-1', baseURL: mocks[1]!.url, apiKey: keys[1], model: 'gpt-4.1-mini' }] },
    });
    mocks[1]!.reset();

    const completion = await client.chat.completions.create({ model: 'fast', messages });

    expect(completion.model).toBe('gpt-4.1-mini');
    expect((mocks[1]!.requests[0]?.body as { model: string }).model).toBe('gpt-4.1-mini');
    await closeWrapper(client);
  });
});
