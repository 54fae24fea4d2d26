import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, runRouted } from '../src/router/index.js';
import { callDeployment, ENGINES, fakeClock, startServer, uniqueName, type TestServer } from './router-fixtures.js';

describe.each(ENGINES)('issue scenarios (%s engine)', (engine) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('A (weight 200) always fails, B (weight 1), cooldown 15 s, a request every 5 s: after A fails, every request goes to B until the cooldown ends', async () => {
    const a = await startServer({ kind: 'status', status: 500 });
    const b = await startServer({ kind: 'ok' });
    servers.push(a, b);
    const clock = fakeClock();
    const router = createRouter({
      engine,
      name: uniqueName('scenario-1'),
      seed: 7,
      clock: clock.now,
      sleep: clock.sleep,
      cooldownMs: 15_000,
      allowedFails: 0,
      retries: 0,
      deployments: [
        { id: 'A', model: 'gpt-4o', baseURL: a.url, weight: 200 },
        { id: 'B', model: 'gpt-4o', baseURL: b.url, weight: 1 },
      ],
    });
    const picked: { atMs: number; id: string; ok: boolean }[] = [];
    const start = clock.nowMs;
    for (let request = 0; request < 12; request += 1) {
      let id = '';
      try {
        await runRouted(router, 'gpt-4o', (deployment) => ((id = deployment.id), callDeployment(deployment)));
        picked.push({ atMs: clock.nowMs - start, id, ok: true });
      } catch {
        picked.push({ atMs: clock.nowMs - start, id, ok: false });
      }
      clock.advance(5_000);
    }

    let coolingUntil = -1;
    for (const entry of picked) {
      if (entry.atMs < coolingUntil) expect(entry.id, `request at ${entry.atMs} ms`).toBe('B');
      if (entry.id === 'A') {
        expect(entry.ok).toBe(false);
        coolingUntil = entry.atMs + 15_000;
      }
    }
    expect(picked[0]!.id).toBe('A');
    expect(picked.filter((entry) => entry.id === 'A').length).toBeGreaterThanOrEqual(2);
    expect(a.hits + b.hits).toBe(12);
    router.close();
  });

  it('A always fails, B succeeds, 2 retries, no allowed fails, cooldown 1 s: attempts are A then B, and A is selectable again after 1.1 s', async () => {
    const a = await startServer({ kind: 'status', status: 503 });
    const b = await startServer({ kind: 'ok' });
    servers.push(a, b);
    const clock = fakeClock();
    const router = createRouter({
      engine,
      name: uniqueName('scenario-2'),
      seed: 3,
      clock: clock.now,
      sleep: clock.sleep,
      cooldownMs: 1_000,
      allowedFails: 0,
      retries: 2,
      backoffBaseMs: 10,
      deployments: [
        { id: 'A', model: 'gpt-4o', baseURL: a.url, weight: 1_000_000 },
        { id: 'B', model: 'gpt-4o', baseURL: b.url, weight: 1 },
      ],
    });
    const attempts: string[] = [];
    const startMs = clock.nowMs;
    const result = await runRouted(router, 'gpt-4o', (deployment) => {
      attempts.push(deployment.id);
      return callDeployment(deployment);
    });

    expect(result).toMatchObject({ ok: true });
    expect(attempts).toEqual(['A', 'B']);
    expect([a.hits, b.hits]).toEqual([1, 1]);
    expect(router.pick('gpt-4o', { exclude: ['B'] })).toBe('none_available');
    clock.nowMs = startMs + 1_100;
    expect(router.pick('gpt-4o', { exclude: ['B'] })).toMatchObject({ id: 'A' });
    expect(router.snapshot().find((row) => row.id === 'A')).toMatchObject({ cooling: false, errors: 1, inFlight: 0 });
    router.close();
  });
});
