import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyFailure, createRouter, ERR_NO_DEPLOYMENT, ROUTER_CHANNELS, runRouted, type RouterOptions } from '../src/router/index.js';
import { callDeployment, ENGINES, fakeClock, HttpError, startServer, uniqueName, type TestServer } from './router-fixtures.js';

const failWith = (status: number, retryAfter?: string) =>
  new HttpError(status, new Headers(retryAfter === undefined ? {} : { 'retry-after': retryAfter }), undefined);

describe('failure classification', () => {
  it('sorts 429, 5xx, timeouts, connection errors, other 4xx and aborts', async () => {
    expect(classifyFailure(failWith(429, '2'))).toMatchObject({ kind: 'rate_limit', retryAfterMs: 2000 });
    expect(classifyFailure(failWith(503))).toMatchObject({ kind: 'server', status: 503 });
    expect(classifyFailure(failWith(404)).kind).toBe('client');
    expect(classifyFailure(new HttpError(400, new Headers(), 'context_length_exceeded')).kind).toBe('context_window');
    expect(classifyFailure(new HttpError(400, new Headers(), 'content_policy_violation')).kind).toBe('content_policy');
    const closed = await startServer();
    await closed.close();
    const refused = await fetch(closed.url).catch((error: unknown) => error);
    expect(classifyFailure(refused).kind).toBe('connection');
    const slow = await startServer({ kind: 'ok', delayMs: 500 });
    const timedOut = await fetch(slow.url, { method: 'POST', signal: AbortSignal.timeout(20) }).catch((error: unknown) => error);
    await slow.close();
    expect(classifyFailure(timedOut).kind).toBe('timeout');
    const aborted = new AbortController();
    aborted.abort();
    expect(classifyFailure(await fetch(closed.url, { signal: aborted.signal }).catch((error: unknown) => error)).kind).toBe('aborted');
  });
});

describe.each(ENGINES)('cooldowns, retries and fallbacks (%s engine)', (engine) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const build = (options: Omit<RouterOptions, 'deployments'> & Pick<Partial<RouterOptions>, 'deployments'>) => {
    const clock = fakeClock();
    const router = createRouter({
      engine,
      name: uniqueName('cooldown'),
      seed: 5,
      clock: clock.now,
      sleep: clock.sleep,
      deployments: [{ id: 'a', model: 'm' }],
      ...options,
    });
    return { router, clock };
  };
  const failOnce = (router: ReturnType<typeof build>['router'], error: unknown, id = 'a') => {
    const lease = router.acquire('m', { exclude: router.snapshot().map((row) => row.id).filter((other) => other !== id) });
    if (typeof lease === 'string') throw new Error(`expected a lease, got ${lease}`);
    lease.fail(error);
  };
  const cooling = (router: ReturnType<typeof build>['router'], id = 'a') => router.snapshot().find((row) => row.id === id)!;

  it('cools after allowedFails failures within the window, not before, and forgets old failures', () => {
    const { router, clock } = build({ allowedFails: 2, failureWindowMs: 10_000, cooldownMs: 5_000 });
    failOnce(router, failWith(500));
    failOnce(router, failWith(500));
    expect(cooling(router).cooling).toBe(false);
    clock.advance(10_001);
    failOnce(router, failWith(500));
    failOnce(router, failWith(502));
    expect(cooling(router).cooling).toBe(false);
    failOnce(router, failWith(500));
    expect(cooling(router)).toMatchObject({ cooling: true, coolingUntilMs: clock.nowMs + 5_000 });
    clock.advance(5_000);
    expect(router.pick('m')).toMatchObject({ id: 'a' });
  });

  it('cools at once on a 429, honours Retry-After, and never shortens a longer live cooldown', () => {
    const { router, clock } = build({ allowedFails: 5, cooldownMs: 1_000 });
    const cooldowns: unknown[] = [];
    const listener = (message: unknown) => cooldowns.push(message);
    subscribe(ROUTER_CHANNELS.cooldown, listener);
    try {
      failOnce(router, failWith(429, '30'));
      expect(cooling(router).coolingUntilMs).toBe(clock.nowMs + 30_000);
      clock.advance(29_000);
      expect(router.pick('m')).toBe('none_available');
      const lease = router.acquire('m');
      expect(lease).toBe('none_available');
      clock.advance(1_000);
      failOnce(router, failWith(429, '60'));
      const longUntil = clock.nowMs + 60_000;
      expect(cooling(router).coolingUntilMs).toBe(longUntil);
      expect(cooldowns).toHaveLength(2);
      expect(JSON.stringify(cooldowns)).not.toMatch(/authorization|sk-/i);
    } finally {
      unsubscribe(ROUTER_CHANNELS.cooldown, listener);
    }
  });

  it('a shorter cooldown does not replace a longer one that is live', () => {
    const { router, clock } = build({ allowedFails: 0, cooldownMs: 1_000, deployments: [{ id: 'a', model: 'm' }, { id: 'b', model: 'm' }] });
    const first = router.acquire('m', { exclude: ['b'] });
    const second = router.acquire('m', { exclude: ['b'] });
    if (typeof first === 'string' || typeof second === 'string') throw new Error('expected leases');
    first.fail(failWith(429, '60'));
    second.fail(failWith(500));
    expect(cooling(router).coolingUntilMs).toBe(clock.nowMs + 60_000);
  });

  it('other 4xx errors count as errors but never cool', () => {
    const { router } = build({ allowedFails: 0 });
    for (let index = 0; index < 5; index += 1) failOnce(router, failWith(400));
    expect(cooling(router)).toMatchObject({ cooling: false, errors: 5, inFlight: 0 });
  });

  it('retries skip failed deployments, wait at least Retry-After when none is left, and end on the last error', async () => {
    const a = await startServer({ kind: 'status', status: 429, retryAfterSeconds: 2 });
    servers.push(a);
    const { router, clock } = build({ allowedFails: 3, retries: 2, backoffBaseMs: 10, deployments: [{ id: 'a', model: 'm', baseURL: a.url }] });
    const times: number[] = [];
    const error = await runRouted(router, 'm', (deployment) => (times.push(clock.nowMs), callDeployment(deployment))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2_000);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2_000);
  });

  it('a non-429 4xx is thrown without a retry; a run with nothing to try throws ERR_NO_DEPLOYMENT', async () => {
    const a = await startServer({ kind: 'status', status: 401 });
    servers.push(a);
    const { router } = build({ retries: 3, deployments: [{ id: 'a', model: 'm', baseURL: a.url }] });
    await expect(runRouted(router, 'm', (deployment) => callDeployment(deployment))).rejects.toMatchObject({ status: 401 });
    expect(a.hits).toBe(1);
    router.setHealthy('a', false);
    await expect(runRouted(router, 'm', (deployment) => callDeployment(deployment))).rejects.toMatchObject({ code: ERR_NO_DEPLOYMENT });
  });

  it('falls back over ordered model groups, and to context-window and content-policy fallbacks', async () => {
    const down = await startServer({ kind: 'status', status: 500 });
    const up = await startServer({ kind: 'ok' });
    const tooLong = await startServer({ kind: 'status', status: 400, code: 'context_length_exceeded' });
    const refuses = await startServer({ kind: 'status', status: 400, code: 'content_policy_violation' });
    servers.push(down, up, tooLong, refuses);
    const { router } = build({
      retries: 1,
      allowedFails: 0,
      deployments: [
        { id: 'primary', model: 'm', baseURL: down.url },
        { id: 'second', model: 'second', baseURL: down.url },
        { id: 'third', model: 'third', baseURL: up.url },
        { id: 'short', model: 'short', baseURL: tooLong.url, contextWindow: 100_000 },
        { id: 'long', model: 'long', baseURL: up.url },
        { id: 'strict', model: 'strict', baseURL: refuses.url },
        { id: 'lenient', model: 'lenient', baseURL: up.url },
      ],
      fallbacks: { m: ['second', 'third'] },
      contextWindowFallbacks: { short: ['long'] },
      contentPolicyFallbacks: { strict: ['lenient'] },
    });
    const seen: string[] = [];
    const record = (deployment: { id: string }) => seen.push(deployment.id);
    await runRouted(router, 'm', (deployment) => (record(deployment), callDeployment(deployment)));
    expect(seen).toEqual(['primary', 'second', 'third']);
    seen.length = 0;
    await runRouted(router, 'short', (deployment) => (record(deployment), callDeployment(deployment)));
    expect(seen).toEqual(['short', 'long']);
    seen.length = 0;
    await runRouted(router, 'short', (deployment) => (record(deployment), callDeployment(deployment)), { promptTokens: 200_000 });
    expect(seen).toEqual(['long']);
    seen.length = 0;
    await runRouted(router, 'strict', (deployment) => (record(deployment), callDeployment(deployment)));
    expect(seen).toEqual(['strict', 'lenient']);
  });
});
