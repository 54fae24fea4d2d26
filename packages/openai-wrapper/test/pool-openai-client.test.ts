import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { startMockOpenAI, type MockOpenAIServer } from '@tollgate/mock-openai-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionPools, type ConnectionPools } from '../src/pool/index.js';

const KEY = 'sk-pool-test-SECRET';
const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });

describe('connection pools behind the openai client', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const start = async (latencyMs = 20): Promise<MockOpenAIServer> => {
    const mock = await startMockOpenAI({ apiKey: KEY, models: { 'gpt-4o-mini': { latencyMs } } });
    cleanup.push(() => mock.close());
    return mock;
  };
  const pools = (options: Parameters<typeof createConnectionPools>[0]): ConnectionPools => {
    const created = createConnectionPools(options);
    cleanup.push(() => created.destroy());
    return created;
  };

  it('64 concurrent calls share at most connectionsPerOrigin connections and all succeed', async () => {
    const mock = await start();
    const pool = pools({ connectionsPerOrigin: 4 });
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0, fetch: pool.fetch });
    const answers = await Promise.all(Array.from({ length: 64 }, () => ask(client)));
    expect(answers.every((answer) => answer.choices[0]!.message.content !== null)).toBe(true);
    expect(mock.stats().maxInFlight).toBe(4);
    await new Promise((resolve) => setImmediate(resolve));
    const stats = pool.stats();
    expect(stats.origins).toHaveLength(1);
    expect(stats).toMatchObject({ connected: 4, free: 4, running: 0, pending: 0 });
  });

  it('maxTotalConnections caps running requests over all origins; queued ones wait in order', async () => {
    const first = await start(30);
    const second = await start(30);
    const pool = pools({ connectionsPerOrigin: 8, maxTotalConnections: 3 });
    const clients = [first, second].map((mock) => new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0, fetch: pool.fetch }));
    let peak = 0;
    let sawWaiting = false;
    const sampler = setInterval(() => {
      const stats = pool.stats();
      peak = Math.max(peak, stats.running + stats.pending);
      sawWaiting ||= stats.waitingForTotalCap > 0;
    }, 2);
    await Promise.all(Array.from({ length: 24 }, (_, index) => ask(clients[index % 2]!)));
    clearInterval(sampler);
    expect(first.stats().maxInFlight + second.stats().maxInFlight).toBeLessThanOrEqual(3 + 3);
    expect(Math.max(first.stats().maxInFlight, second.stats().maxInFlight)).toBeLessThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(3);
    expect(sawWaiting).toBe(true);
  });

  it('closes idle connections after keepAliveTimeoutMs', async () => {
    const mock = await start(0);
    const pool = pools({ connectionsPerOrigin: 1, keepAliveTimeoutMs: 100, maxRequestsPerConnection: 2 });
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0, fetch: pool.fetch });
    await ask(client);
    expect(pool.stats().connected).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(pool.stats().connected).toBe(0);
  });

  it('replaces a connection after maxRequestsPerConnection requests', async () => {
    const connectionsFor = async (maxRequestsPerConnection: number | undefined) => {
      let connections = 0;
      const server = createServer((_request, response) => response.end('{}'));
      server.on('connection', () => (connections += 1));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const pool = pools({ connectionsPerOrigin: 1, maxRequestsPerConnection });
      for (let index = 0; index < 6; index += 1) await (await pool.fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
      await pool.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return connections;
    };
    expect(await connectionsFor(undefined)).toBe(1);
    expect(await connectionsFor(2)).toBeGreaterThanOrEqual(2);
  });

  it('close() lets running calls finish, then refuses new ones', async () => {
    const mock = await start(100);
    const pool = createConnectionPools({ connectionsPerOrigin: 2 });
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0, fetch: pool.fetch });
    const running = Array.from({ length: 4 }, () => ask(client));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pool.close();
    const answers = await Promise.all(running);
    expect(answers).toHaveLength(4);
    await expect(ask(client)).rejects.toThrow();
    expect(mock.stats().requests).toBe(4);
  });
});
