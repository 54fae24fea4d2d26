// ChatOpenAI sends its calls through the router and the connection pools of @tollgate/openai.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage } from '@langchain/core/messages';
import { createLimiter, createRouter, type Router } from '@tollgate/core-native';
import { createConnectionPools, type ConnectionPools, type UsageRecord } from '@tollgate/openai';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { createRoutedFetch, fromCoreLimiter, routedChatOpenAIFields, TollgateCallbackHandler, type RoutedFetchOptions, type RunRecord } from '../src/index.js';
import { chatBodies, outsideRequests, startMock } from './helpers.js';

let east: MockOpenAIServer;
let west: MockOpenAIServer;
let pools: ConnectionPools;
let router: Router;
const slow = { 'gpt-4o-mini': { completionTokens: 24, firstTokenDelayMs: 30, chunkDelayMs: 10 } };

beforeAll(async () => {
  east = await startMock({ apiKey: 'sk-east', models: slow });
  west = await startMock({ apiKey: 'sk-west', models: slow });
  pools = createConnectionPools({ connectionsPerOrigin: 4 });
});
afterAll(async () => {
  await pools.close();
  await Promise.all([east.close(), west.close()]);
});
afterEach(() => {
  router?.close();
  east.reset();
  west.reset();
  expect(outsideRequests).toEqual([]);
});

function routedChat(options: { weightEast?: number; weightWest?: number } & Partial<RoutedFetchOptions> = {}): ChatOpenAI {
  router = createRouter({
    seed: 7,
    retries: 2,
    backoffBaseMs: 1,
    allowedFails: 1,
    deployments: [
      { id: 'mini@east', model: 'gpt-4o-mini', providerModel: 'gpt-4o-mini', baseURL: east.url, apiKey: 'sk-east', weight: options.weightEast ?? 1 },
      { id: 'mini@west', model: 'gpt-4o-mini', providerModel: 'gpt-4o-mini', baseURL: west.url, apiKey: 'sk-west', weight: options.weightWest ?? 1 },
    ],
  });
  return new ChatOpenAI(routedChatOpenAIFields({ ...options, router, fetch: pools.fetch, model: 'gpt-4o-mini' }));
}

const metrics = (id: string) => router.snapshot().find((deployment) => deployment.id === id)!;
const question = [new HumanMessage('Which toll road is the longest in Europe?')];

describe('routed ChatOpenAI', () => {
  it('spreads calls over the deployments, each with its own key, through the pools', async () => {
    const chat = routedChat();
    for (let call = 0; call < 8; call += 1) await chat.invoke(question);

    const served = chatBodies(east).length + chatBodies(west).length;
    expect(served).toBe(8);
    expect(chatBodies(east).length).toBeGreaterThan(0);
    expect(chatBodies(west).length).toBeGreaterThan(0);
    expect(pools.stats().origins.map((origin) => origin.origin).sort()).toEqual([new URL(east.url).origin, new URL(west.url).origin].sort());
    expect(metrics('mini@east').inFlight + metrics('mini@west').inFlight).toBe(0);
  });

  it('moves to the other deployment when one fails, and the caller sees no error', async () => {
    const chat = routedChat({ weightEast: 100, weightWest: 1 });
    east.failNext(3, { status: 503 });
    for (let call = 0; call < 3; call += 1) await chat.invoke(question);
    expect(east.stats().failuresInjected).toBeGreaterThan(0);
    expect(chatBodies(west).length).toBeGreaterThan(0);
    expect(metrics('mini@east').errors).toBeGreaterThan(0);
  });

  it('holds the lease for the whole stream and feeds time to first token and usage to the router', async () => {
    const chat = routedChat({ weightEast: 1, weightWest: 0 });
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
    const stream = await chat.stream(question, { callbacks: [handler] });
    let inFlightDuringStream = -1;
    for await (const chunk of stream) if (chunk.content !== '' && inFlightDuringStream < 0) inFlightDuringStream = metrics('mini@east').inFlight;

    const served = east.stats().byModel['gpt-4o-mini']!;
    expect(inFlightDuringStream).toBe(1);
    expect(metrics('mini@east').inFlight).toBe(0);
    expect(metrics('mini@east').timeToFirstTokenMs).toBeGreaterThanOrEqual(25);
    expect(metrics('mini@east').tokensThisMinute).toBe(served.promptTokens + served.completionTokens);
    expect(records[0]).toMatchObject({ status: 'ok', streamed: true, promptTokens: served.promptTokens, completionTokens: served.completionTokens });
  });

  it('an abort in the middle of a stream ends the lease without a retry', async () => {
    const chat = routedChat();
    const controller = new AbortController();
    const consume = async () => {
      let seen = 0;
      for await (const chunk of await chat.stream(question, { signal: controller.signal })) if (chunk.content !== '' && ++seen === 2) controller.abort();
    };
    await expect(consume()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chatBodies(east).length + chatBodies(west).length).toBe(1);
    expect(metrics('mini@east').inFlight + metrics('mini@west').inFlight).toBe(0);
  });

  it("returns the last attempt's HTTP error to the client, which raises it with its status", async () => {
    const chat = routedChat();
    east.failNext(1, { status: 400 });
    west.failNext(1, { status: 400 });
    await expect(chat.invoke(question)).rejects.toMatchObject({ status: 400 });
    expect(east.stats().requests + west.stats().requests).toBe(1);
  });

  it('refuses a URL outside its base URL and never sends it', async () => {
    routedChat();
    const routed = createRoutedFetch({ router, fetch: pools.fetch });
    await expect(routed(`${east.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      field: 'url',
    });
    expect(east.stats().requests).toBe(0);
  });

  it("gives each call one record of @tollgate/openai's call path: deployment, attempts, usage, ending", async () => {
    const records: UsageRecord[] = [];
    const chat = routedChat({ weightEast: 1, weightWest: 0, onRecord: (record) => records.push(record) });
    east.failNext(1, { status: 503 });
    await chat.invoke(question);
    for await (const _ of await chat.stream(question)) void _;
    const controller = new AbortController();
    const consume = async () => {
      let seen = 0;
      for await (const chunk of await chat.stream(question, { signal: controller.signal })) if (chunk.content !== '' && ++seen === 2) controller.abort();
    };
    await expect(consume()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const served = [east, west].map((server) => server.stats().byModel['gpt-4o-mini']);
    expect(records.map((record) => record.status)).toEqual(['ok', 'ok', 'aborted']);
    expect(records[0]).toMatchObject({ attempts: 2, streamed: false, usageSource: 'provider' });
    expect(records[1]).toMatchObject({ attempts: 1, streamed: true, usageSource: 'provider' });
    expect(records[1]!.timeToFirstTokenMs).toBeGreaterThanOrEqual(25);
    const totalPrompt = served.reduce((sum, entry) => sum + (entry?.promptTokens ?? 0), 0);
    expect(records[0]!.promptTokens! + records[1]!.promptTokens!).toBe(totalPrompt);
    expect(records[2]!.usageSource).toBe('estimated');
  });

  it('shares a limiter through the call path: calls wait for it before they are sent', async () => {
    const limiter = fromCoreLimiter(createLimiter({ backend: 'fallback', maxInFlight: 1 }));
    const records: UsageRecord[] = [];
    const chat = routedChat({ limiter, weightEast: 1, weightWest: 0, onRecord: (record) => records.push(record) });
    await Promise.all([1, 2, 3, 4].map(async () => {
      for await (const _ of await chat.stream(question)) void _;
    }));
    expect(chatBodies(east)).toHaveLength(4);
    expect(east.stats().maxInFlight).toBe(1);
    expect(Math.max(...records.map((record) => record.limiterWaitMs))).toBeGreaterThan(100);
    expect(metrics('mini@east').inFlight).toBe(0);
  });

  it('refuses a model that is no group of the router, sending nothing', async () => {
    routedChat();
    const chat = new ChatOpenAI(routedChatOpenAIFields({ router, fetch: pools.fetch, model: 'gpt-4o' }));
    // The SDK wraps what its fetch throws in a connection error; the cause is ours.
    await expect(chat.invoke(question)).rejects.toMatchObject({ cause: { code: 'ERR_INVALID_ARGUMENT', field: 'model' } });
    expect(east.stats().requests + west.stats().requests).toBe(0);
  });
});
