import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionPools } from '../src/pool/index.js';
import { waitFor } from './helpers.js';

/** A server on 127.0.0.1 that holds every answer until the test lets it go. */
async function startHolding() {
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => held.push(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    held,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answerOne: () => held.shift()?.end('ok'),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('pool stats under concurrency', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('running, pending and waitingForTotalCap add up while requests hold, and drain to zero', async () => {
    const first = await startHolding();
    const second = await startHolding();
    cleanup.push(first.close, second.close);
    const pools = createConnectionPools({ connectionsPerOrigin: 3, maxTotalConnections: 5 });
    cleanup.push(() => pools.destroy());
    let finished = 0;
    const requests = Array.from({ length: 10 }, async (_, index) => {
      const response = await pools.fetch(`${(index % 2 === 0 ? first : second).origin}/v1/chat/completions`, { method: 'POST', body: '{}' });
      await response.text();
      finished += 1;
    });

    expect(await waitFor(() => first.held.length + second.held.length === 5)).toBe(true);
    const busy = pools.stats();
    expect(busy).toMatchObject({ running: 5, pending: 0, waitingForTotalCap: 5 });
    expect(busy.origins.map(({ running }) => running)).toEqual([3, 2]);

    for (let answered = 1; answered <= 10; answered += 1) {
      const holder = first.held.length > 0 ? first : second;
      holder.answerOne();
      expect(await waitFor(() => finished === answered)).toBe(true);
      const left = 10 - answered;
      const held = () => first.held.length + second.held.length;
      expect(await waitFor(() => held() === pools.stats().running)).toBe(true);
      const stats = pools.stats();
      expect(stats.running + stats.pending).toBe(Math.min(5, left));
      expect(stats.waitingForTotalCap).toBe(Math.max(0, left - 5));
      expect(stats.origins.every(({ running }) => running <= 3)).toBe(true);
    }
    await Promise.all(requests);

    const idle = pools.stats();
    expect(idle).toMatchObject({ running: 0, pending: 0, waitingForTotalCap: 0 });
    expect(idle.free).toBe(idle.connected);
    expect(idle.origins.every(({ connected }) => connected <= 3)).toBe(true);
  });
});
