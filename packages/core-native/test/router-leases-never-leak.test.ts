import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, runRouted } from '../src/router/index.js';
import { callDeployment, ENGINES, fakeClock, startServer, uniqueName, type TestServer } from './router-fixtures.js';

describe.each(ENGINES)('in-flight leases (%s engine)', (engine) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const inFlight = (router: ReturnType<typeof createRouter>) => router.snapshot().reduce((sum, row) => sum + row.inFlight, 0);

  it('return to zero after errors, dropped sockets, aborts and broken streams, with many calls at once', async () => {
    const failing = await startServer({ kind: 'status', status: 500 });
    const dropping = await startServer({ kind: 'drop' });
    const slow = await startServer({ kind: 'ok', delayMs: 200 });
    const streaming = await startServer({ kind: 'stream-then-drop' });
    servers.push(failing, dropping, slow, streaming);
    const router = createRouter({
      engine,
      name: uniqueName('leases'),
      retries: 1,
      backoffBaseMs: 1,
      deployments: [
        { id: 'failing', model: 'errors', baseURL: failing.url },
        { id: 'dropping', model: 'errors', baseURL: dropping.url },
        { id: 'slow', model: 'slow', baseURL: slow.url },
        { id: 'stream', model: 'stream', baseURL: streaming.url },
      ],
    });
    const errors = Array.from({ length: 20 }, () => runRouted(router, 'errors', (d) => callDeployment(d)).catch(() => 'failed'));
    const controller = new AbortController();
    const aborted = Array.from({ length: 10 }, () =>
      runRouted(router, 'slow', (d, context) => callDeployment(d, context.signal), { signal: controller.signal }).catch(() => 'aborted'),
    );
    const streams = Array.from({ length: 5 }, () =>
      runRouted(router, 'stream', async (d, context) => {
        const response = await fetch(d.baseURL!, { method: 'POST', body: '{}' });
        for await (const _chunk of response.body!) context.markFirstToken();
        return 'complete';
      }).catch(() => 'broken'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inFlight(router)).toBeGreaterThan(0);
    controller.abort();
    const results = await Promise.all([...errors, ...aborted, ...streams]);

    expect(results.filter((result) => result === 'failed')).toHaveLength(20);
    expect(results.filter((result) => result === 'aborted')).toHaveLength(10);
    expect(results.filter((result) => result === 'broken')).toHaveLength(5);
    expect(inFlight(router)).toBe(0);
    expect(router.snapshot().find((row) => row.id === 'slow')!.errors).toBe(0);
  });

  it('ending a lease twice does nothing, so counts never go negative', () => {
    const router = createRouter({ engine, name: uniqueName('twice'), deployments: [{ id: 'a', model: 'm' }] });
    const lease = router.acquire('m');
    if (typeof lease === 'string') throw new Error('expected a lease');
    lease.succeed();
    lease.release();
    lease.fail(new Error('late'));
    const other = router.acquire('m');
    if (typeof other === 'string') throw new Error('expected a lease');
    expect(router.snapshot()[0]).toMatchObject({ inFlight: 1, calls: 2, successes: 1, errors: 0 });
    other.release();
    expect(router.snapshot()[0]!.inFlight).toBe(0);
  });

  it('a lease whose holder never ends it expires after leaseTimeoutMs', () => {
    const clock = fakeClock();
    const router = createRouter({ engine, name: uniqueName('expiry'), clock: clock.now, leaseTimeoutMs: 1_000, deployments: [{ id: 'a', model: 'm', maxInFlight: 1 }] });
    expect(typeof router.acquire('m')).toBe('object');
    expect(router.acquire('m')).toBe('none_available');
    clock.advance(1_000);
    const next = router.acquire('m');
    expect(typeof next).toBe('object');
    expect(router.snapshot()[0]!.inFlight).toBe(1);
  });
});
