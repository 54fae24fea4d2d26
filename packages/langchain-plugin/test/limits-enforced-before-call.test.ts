// Limits are awaited before the request leaves, with a reservation settled to the real usage.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HumanMessage } from '@langchain/core/messages';
import { countChatTokens, createLimiter } from '@tollgate/core-native';
import type { CallLimiter } from '@tollgate/openai';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { fromCoreLimiter, TollgateCallbackHandler, withTollgate, type RunRecord } from '../src/index.js';
import { chatBodies, chatFor, coreLimiter, outsideRequests, startMock } from './helpers.js';

let mock: MockOpenAIServer;
beforeAll(async () => {
  mock = await startMock({ models: { 'gpt-4o-mini': { latencyMs: 120, completionTokens: 20, firstTokenDelayMs: 60 } } });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.reset();
  expect(outsideRequests).toEqual([]);
});

const question = 'How many lanes does a toll plaza need?';

describe('limits enforced before the call', () => {
  it('holds a call until the in-flight slot frees, for invoke and stream alike', async () => {
    const { limiter, released } = coreLimiter({ maxInFlight: 1 });
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ limits: { limiter }, onRecord: (record) => records.push(record) });
    const chat = chatFor(mock);
    const streamed = (async () => {
      for await (const _ of await chat.stream(question, { callbacks: [handler] })) void _;
    })();
    await Promise.all([chat.invoke(question, { callbacks: [handler] }), chat.invoke(question, { callbacks: [handler] }), streamed]);

    expect(mock.stats().maxInFlight).toBe(1);
    expect(records.map((record) => record.status)).toEqual(['ok', 'ok', 'ok']);
    const longestWait = records.reduce((longest, record) => (record.limitWaitMs > longest.limitWaitMs ? record : longest));
    expect(longestWait.limitWaitMs).toBeGreaterThanOrEqual(200);
    // Latency and time to first token start when the call is let go, not while it waits.
    expect(longestWait.latencyMs).toBeLessThan(longestWait.limitWaitMs);
    expect(released()).toBe(3);
  });

  it('reserves prompt + max output tokens and settles to the provider total', async () => {
    const { limiter, costs, settled } = coreLimiter({ tokensPerMinute: 100_000 });
    const handler = new TollgateCallbackHandler({ limits: { limiter, keys: (run) => [`model:${run.model}`, `tag:${run.tags[0] ?? 'none'}`] } });
    await chatFor(mock, { maxTokens: 50 }).invoke([new HumanMessage(question)], { callbacks: [handler], tags: ['team-a'] });

    const prompt = countChatTokens([{ role: 'user', content: question }], { model: 'gpt-4o-mini' }).tokens;
    const served = mock.stats().byModel['gpt-4o-mini']!;
    expect(costs).toEqual([{ keys: ['model:gpt-4o-mini', 'tag:team-a'], tokens: prompt + 50 }]);
    expect(served.promptTokens).toBe(prompt);
    expect(settled).toEqual([served.promptTokens + served.completionTokens]);
  });

  it('refuses a call whose wait outlasts timeoutMs: one refused record, no request sent', async () => {
    const { limiter, core } = coreLimiter({ maxInFlight: 1 });
    const held = await core.acquire('model:gpt-4o-mini');
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ limits: { limiter, timeoutMs: 80 }, onRecord: (record) => records.push(record) });
    try {
      await expect(chatFor(mock).invoke(question, { callbacks: [handler] })).rejects.toMatchObject({ code: 'ERR_LIMIT_TIMEOUT' });
    } finally {
      held.release();
    }
    expect(chatBodies(mock)).toHaveLength(0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'refused', usageSource: 'none', error: { code: 'ERR_LIMIT_TIMEOUT' } });
    expect(handler.snapshot()).toMatchObject({ inFlight: 0, total: { refused: 1 } });
  });

  it('an abort while waiting ends the run as aborted and sends nothing', async () => {
    const { limiter, core } = coreLimiter({ maxInFlight: 1 });
    const held = await core.acquire('model:gpt-4o-mini');
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ limits: { limiter }, onRecord: (record) => records.push(record) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    try {
      await expect(chatFor(mock).invoke(question, { callbacks: [handler], signal: controller.signal })).rejects.toThrow();
    } finally {
      held.release();
    }
    expect(chatBodies(mock)).toHaveLength(0);
    expect(records).toHaveLength(1);
    expect(records[0]!.status).toBe('aborted');
  });

  it('frees the slot of a failed call, so the next one is admitted at once', async () => {
    const { limiter, settled, released } = coreLimiter({ maxInFlight: 1 });
    const { model, handler } = withTollgate(chatFor(mock), { limits: { limiter, timeoutMs: 2000 } });
    mock.failNext(1, { status: 500 });
    await expect(model.invoke(question)).rejects.toThrow();
    const reply = await model.invoke(question);
    expect(typeof reply.content).toBe('string');
    expect(released()).toBe(2);
    expect(settled).toHaveLength(1);
    expect(handler.snapshot().total).toMatchObject({ runs: 2, errors: 1, ok: 1 });
  });

  it('fromCoreLimiter takes every key at once, settles, and fits the CallLimiter of @tollgate/openai too', async () => {
    const core = createLimiter({ backend: 'fallback', tokensPerMinute: 100, maxInFlight: 2 });
    const shared: CallLimiter = fromCoreLimiter(core);
    const lease = await shared.acquire(['model:a', 'user:1'], { requests: 1, tokens: 80 }, {});
    const blocked = new AbortController();
    setTimeout(() => blocked.abort(), 30);
    await expect(shared.acquire(['user:1'], { requests: 1, tokens: 30 }, { signal: blocked.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    lease.settle({ tokens: 10 });
    lease.release();
    (await shared.acquire(['user:1'], { requests: 1, tokens: 30 }, {})).release();
    expect(() => fromCoreLimiter({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
