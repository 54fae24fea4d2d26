import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import OpenAI from 'openai';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { ROUTER_CHANNELS } from '@tollgate/core-native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_CHANNELS, callOptions, closeWrapper, getStats, toGenAIAttributes, wrapOpenAI, type UsageRecord } from '../src/index.js';
import { fallbackLimiter, limiterHook } from './support/limiter-hook.js';
import { startMocks, UNUSED_BASE_URL } from './support/local-servers.js';

let mocks: MockOpenAIServer[];
let keys: string[];
const SECRET_PROMPT = 'my-private-prompt-text-7731';
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: SECRET_PROMPT }];

beforeAll(async () => {
  ({ mocks, keys } = await startMocks(2));
});
afterAll(async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
});

describe('observability', () => {
  it('publishes attempts, retries, cooldowns and usage without keys or prompt text; onError sees the SDK error', async () => {
    const published: { name: string; message: unknown }[] = [];
    const names = [...Object.values(CALL_CHANNELS), ROUTER_CHANNELS.failure, ROUTER_CHANNELS.cooldown];
    const listeners = names.map((name) => {
      const listener = (message: unknown) => published.push({ name, message });
      subscribe(name, listener);
      return [name, listener] as const;
    });
    const errors: unknown[] = [];
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-SECRET', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: {
        'gpt-4o': [
          { id: 'a', baseURL: mocks[0]!.url, apiKey: keys[0], weight: 1000 },
          { id: 'b', baseURL: mocks[1]!.url, apiKey: keys[1], weight: 1 },
        ],
      },
      routing: { retries: 1, backoffBaseMs: 1, allowedFails: 0, seed: 9 },
      onUsage: (record) => records.push(record),
      onError: (error) => errors.push(error),
    });
    mocks[0]!.failNext(1, { status: 429, retryAfterSeconds: 20 });
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    mocks[1]!.failNext(1, { status: 401 });
    const failure = await client.chat.completions.create({ model: 'gpt-4o', messages }).catch((caught: unknown) => caught);
    for (const [name, listener] of listeners) unsubscribe(name, listener);

    const text = JSON.stringify(published);
    const seen = new Set(published.map((entry) => entry.name));
    expect(seen).toEqual(new Set([CALL_CHANNELS.attempt, CALL_CHANNELS.retry, CALL_CHANNELS.usage, ROUTER_CHANNELS.failure, ROUTER_CHANNELS.cooldown]));
    expect(published.filter((entry) => entry.name === CALL_CHANNELS.usage)).toHaveLength(2);
    for (const secret of [...keys, 'sk-client-SECRET', SECRET_PROMPT, 'Bearer']) expect(text).not.toContain(secret);
    expect(errors).toEqual([failure]);
    expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(records.map((record) => record.status)).toEqual(['ok', 'error']);
    await closeWrapper(client);
  });

  it('maps a record onto OpenTelemetry GenAI attribute names', async () => {
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: keys[0], baseURL: mocks[0]!.url, maxRetries: 0 }), {
      onUsage: (record) => records.push(record),
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const attributes = toGenAIAttributes(records[0]!);

    expect(attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': completion.model,
      'gen_ai.usage.input_tokens': completion.usage?.prompt_tokens,
      'gen_ai.usage.output_tokens': completion.usage?.completion_tokens,
    });
    expect(attributes['tollgate.cost_usd']).toBeGreaterThan(0);
    expect(JSON.stringify(attributes)).not.toContain(SECRET_PROMPT);
  });
});

describe('limits and per-call settings', () => {
  it('reserves prompt + max output, then settles the real usage in the limiter', async () => {
    const limiter = fallbackLimiter({ tokensPerMinute: 100_000 });
    const reservations: number[] = [];
    const hook = limiterHook({ 'model:': limiter });
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: keys[0], baseURL: mocks[0]!.url, maxRetries: 0 }), {
      limits: {
        limiter: { acquire: (keys, cost, options) => (reservations.push(cost.tokens), hook.acquire(keys, cost, options)) },
      },
      onUsage: (record) => records.push(record),
    });

    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 500 });
    const remaining = limiter.tryAcquire('model:gpt-4o', { requests: 0, tokens: 0 }).remaining.tokensPerMinute;

    expect(reservations).toEqual([records[0]!.promptTokensCounted! + 500]);
    expect(remaining).toBe(100_000 - records[0]!.totalTokens!);
  });

  it('waits in the limiter when the model is at its limit, and says how long in the record and stats', async () => {
    const limiter = fallbackLimiter({ maxInFlight: 1 });
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: keys[0], baseURL: mocks[0]!.url, maxRetries: 0 }), {
      limits: { limiter: limiterHook({ 'model:': limiter }) },
      onUsage: (record) => records.push(record),
    });
    mocks[0]!.configureModel('gpt-4o-mini', { latencyMs: 150 });

    await Promise.all([0, 1].map(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages })));
    mocks[0]!.configureModel('gpt-4o-mini', { latencyMs: 0 });
    const waits = records.map((record) => record.limiterWaitMs).sort((left, right) => left - right);

    expect(waits[0]).toBeLessThan(50);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(getStats(client)?.usage.total.limiterWaits).toBe(1);
  });

  it('a per-call key reserves its own scope too; a deployment pin and tags choose the deployment', async () => {
    const perUser = fallbackLimiter({ requestsPerMinute: 1 });
    const records: UsageRecord[] = [];
    const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
      deployments: {
        'gpt-4o': [
          { id: 'us', baseURL: mocks[0]!.url, apiKey: keys[0], weight: 1000, tags: ['us'] },
          { id: 'eu', baseURL: mocks[1]!.url, apiKey: keys[1], weight: 1, tags: ['eu'] },
        ],
      },
      limits: { limiter: limiterHook({ 'key:': perUser }) },
      onUsage: (record) => records.push(record),
    });

    await client.chat.completions.create({ model: 'gpt-4o', messages }, callOptions({ key: 'user-1', tags: ['eu'] }));
    await client.chat.completions.create({ model: 'gpt-4o', messages }, callOptions({ deployment: 'eu' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const blocked = await client.chat.completions
      .create({ model: 'gpt-4o', messages }, callOptions({ key: 'user-1' }, { signal: controller.signal }))
      .catch((caught: unknown) => caught);

    expect(records.map((record) => [record.deployment, record.key])).toEqual([
      ['eu', 'user-1'],
      ['eu', undefined],
      [undefined, 'user-1'],
    ]);
    expect(blocked).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(() => callOptions({ key: '' })).toThrow('Expected `key` to be a non-empty string, got "".');
    await closeWrapper(client);
  });
});
