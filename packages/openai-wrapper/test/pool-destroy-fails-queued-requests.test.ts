import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionPools, POOL_HEALTH_CHANNEL } from '../src/pool/index.js';
import { waitFor } from './helpers.js';

describe('destroying the pools', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('fails running requests and those waiting for the total cap, and announces no health change', async () => {
    const held: ServerResponse[] = [];
    const server = createServer((request, response) => {
      request.resume();
      held.push(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const changes: unknown[] = [];
    const listener = (message: unknown) => changes.push(message);
    subscribe(POOL_HEALTH_CHANNEL, listener);
    cleanup.push(async () => unsubscribe(POOL_HEALTH_CHANNEL, listener));
    const pools = createConnectionPools({ maxTotalConnections: 1, health: { minRequests: 1, consecutiveTimeouts: 1 } });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;

    const outcomes = [1, 2, 3].map(() => pools.fetch(url).then(() => 'answered', () => 'failed'));
    expect(await waitFor(() => held.length === 1 && pools.stats().waitingForTotalCap === 2)).toBe(true);
    await pools.destroy();

    expect(await Promise.all(outcomes)).toEqual(['failed', 'failed', 'failed']);
    expect(pools.stats()).toMatchObject({ waitingForTotalCap: 0 });
    expect(changes).toEqual([]);
  });
});
