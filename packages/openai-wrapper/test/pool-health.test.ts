import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, runRouted } from '@tollgate/core-native';
import { createConnectionPools, POOL_HEALTH_CHANNEL } from '../src/pool/index.js';

/** A server whose every answer (probes included) has status `state.status`; counts GET probes. */
async function startSwitchable(status: number) {
  const state = { status, probes: 0, url: '', server: undefined as Server | undefined };
  const server = createServer((request, response) => {
    if (request.method === 'GET') state.probes += 1;
    request.resume();
    request.on('end', () => {
      response.writeHead(state.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(state.status === 200 ? { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [] } : { error: { message: 'down' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.server = server;
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

describe('pool health', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it('passive: a high error rate marks the origin unhealthy; the probe backs off and restores it when it answers', async () => {
    const flaky = await startSwitchable(500);
    cleanup.push(() => new Promise((resolve) => flaky.server!.close(resolve)));
    const changes: unknown[] = [];
    const listener = (message: unknown) => changes.push(message);
    subscribe(POOL_HEALTH_CHANNEL, listener);
    cleanup.push(async () => unsubscribe(POOL_HEALTH_CHANNEL, listener));
    const pools = createConnectionPools({ health: { minRequests: 4, errorRateThreshold: 0.5, probePath: '/v1/models', probeBackoffMs: 40, probeBackoffMaxMs: 200 } });
    cleanup.push(() => pools.destroy());
    const client = new OpenAI({ baseURL: flaky.url, apiKey: 'sk-x', maxRetries: 0, fetch: pools.fetch });
    for (let index = 0; index < 4; index += 1) {
      await client.chat.completions.create({ model: 'm', messages: [] }).catch(() => undefined);
    }
    expect(pools.isHealthy(flaky.url)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(flaky.probes).toBeGreaterThanOrEqual(2);
    expect(flaky.probes).toBeLessThanOrEqual(5);
    expect(pools.isHealthy(flaky.url)).toBe(false);
    flaky.status = 200;
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(pools.isHealthy(flaky.url)).toBe(true);
    expect(changes).toMatchObject([{ healthy: false, reason: 'error_rate' }, { healthy: true, reason: 'probe' }]);
  });

  it('the router skips a deployment whose origin the pools marked unhealthy', async () => {
    const down = await startSwitchable(503);
    const up = await startSwitchable(200);
    cleanup.push(() => new Promise((resolve) => down.server!.close(resolve)), () => new Promise((resolve) => up.server!.close(resolve)));
    const router = createRouter({
      engine: 'fallback',
      seed: 1,
      allowedFails: 100,
      retries: 0,
      deployments: [
        { id: 'down', model: 'gpt-4o', baseURL: down.url, weight: 1_000 },
        { id: 'up', model: 'gpt-4o', baseURL: up.url, weight: 1 },
      ],
    });
    const pools = createConnectionPools({
      health: { minRequests: 3, unhealthyForMs: 60_000, onHealthChange: (origin, healthy) => {
        for (const id of ['down', 'up']) if (new URL(router.deployment(id)!.baseURL!).origin === origin) router.setHealthy(id, healthy);
      } },
    });
    cleanup.push(() => pools.destroy());
    const clients = new Map<string, OpenAI>();
    const clientFor = (id: string, baseURL: string) => {
      if (!clients.has(id)) clients.set(id, new OpenAI({ baseURL, apiKey: 'sk-x', maxRetries: 0, fetch: pools.fetch }));
      return clients.get(id)!;
    };
    const used: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      await runRouted(router, 'gpt-4o', (deployment) => {
        used.push(deployment.id);
        return clientFor(deployment.id, deployment.baseURL!).chat.completions.create({ model: 'gpt-4o', messages: [] });
      }).catch(() => undefined);
    }
    expect(used.slice(0, 3)).toEqual(['down', 'down', 'down']);
    expect(used.slice(3)).toEqual(Array(7).fill('up'));
    expect(router.snapshot().find((row) => row.id === 'down')).toMatchObject({ healthy: false, cooling: false });
  });
});
