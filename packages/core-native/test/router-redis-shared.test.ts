import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisEvaluator } from '../src/limiter/index.js';
import { createRouter, ROUTER_CHANNELS, type Router, type RouterOptions } from '../src/router/index.js';
import { REDIS_INSTALL_HINT, redisServerInstalled, startRedisServer, usageTotals, type RedisServer } from './support/redis-server.js';
import { ENGINES, fakeClock, HttpError, uniqueName } from './router-fixtures.js';

const installed = redisServerInstalled();
if (!installed && process.env['TOLLGATE_REQUIRE_REDIS'] === '1') {
  throw new Error(`TOLLGATE_REQUIRE_REDIS=1 but redis-server is not installed (${REDIS_INSTALL_HINT}).`);
}
if (!installed) process.stderr.write(`router-redis-shared tests skipped: redis-server is not installed (${REDIS_INSTALL_HINT}).\n`);

const rateLimited = (retryAfterSeconds?: string) =>
  new HttpError(429, new Headers(retryAfterSeconds === undefined ? {} : { 'retry-after': retryAfterSeconds }), undefined);

async function waitFor(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!installed)('Router cooldowns and usage shared through a real redis-server', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const routers: Router[] = [];
  let prefixes = 0;
  const client = async (): Promise<Redis> => {
    const redis = new Redis(server.port, '127.0.0.1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    clients.push(redis);
    await redis.connect();
    return redis;
  };
  /** One router standing in for one process: its own Redis connection and router name. */
  const processRouter = async (engine: 'native' | 'fallback', prefix: string, clock: () => number, options: Partial<RouterOptions> = {}, shared: Partial<NonNullable<RouterOptions['shared']>> = {}) => {
    const router = createRouter({
      engine,
      name: uniqueName(`shared-${engine}`),
      seed: 11,
      clock,
      cooldownMs: 15_000,
      allowedFails: 0,
      deployments: [
        { id: 'a', model: 'm', weight: 200, rpm: 5 },
        { id: 'b', model: 'm', weight: 1, rpm: 5 },
      ],
      ...options,
      shared: { redis: ioredisEvaluator(await client()), prefix, syncIntervalMs: 60_000, ...shared },
    });
    routers.push(router);
    await router.syncShared();
    return router;
  };
  const picks = (router: Router, count: number, exclude: string[] = []) =>
    Array.from({ length: count }, () => {
      const chosen = router.pick('m', { exclude });
      return typeof chosen === 'string' ? chosen : chosen.id;
    });
  const metricsOf = (router: Router, id: string) => router.snapshot().find((row) => row.id === id)!;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    routers.forEach((router) => router.close());
    clients.forEach((redis) => redis.disconnect());
    await server?.dispose();
  });

  for (const engine of ENGINES) {
    describe(`${engine} engine`, () => {
      it('a cooldown started by one process is seen by the picks of another, and never shortened by a shorter one', async () => {
        const prefix = `test-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const first = await processRouter(engine, prefix, clock.now);
        const second = await processRouter(engine, prefix, clock.now);
        const third = await processRouter(engine, prefix, clock.now);
        const lease = first.acquire('m', { exclude: ['b'] });
        if (typeof lease === 'string') throw new Error(lease);
        expect(lease.deployment.id).toBe('a');
        lease.fail(rateLimited());
        await first.syncShared();
        const admin = await client();
        const left = await admin.pttl(`{${prefix}}:cooldown:a`);
        expect(left).toBeGreaterThan(14_000);
        expect(left).toBeLessThanOrEqual(15_000);

        // Before its next sync the second process still routes on its mirror: 'a' (weight 200) wins.
        expect(picks(second, 20)).toContain('a');
        await second.syncShared();
        expect(new Set(picks(second, 50))).toEqual(new Set(['b']));
        expect(metricsOf(second, 'a').coolingUntilMs).toBeGreaterThan(clock.nowMs + 14_000);

        // The third process has not synced since: it cools 'a' for 1 s (Retry-After) and learns
        // the longer live cooldown from Redis instead of shortening it.
        const third429 = third.acquire('m', { exclude: ['b'] });
        if (typeof third429 === 'string') throw new Error(third429);
        third429.fail(rateLimited('1'));
        await third.syncShared();
        expect(await admin.pttl(`{${prefix}}:cooldown:a`)).toBeGreaterThan(13_000);
        expect(metricsOf(third, 'a').coolingUntilMs).toBeGreaterThan(clock.nowMs + 13_000);
      });

      it('rpm usage counted by one process fills the limit for another, and usage_based avoids it', async () => {
        const prefix = `test-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const first = await processRouter(engine, prefix, clock.now, { strategy: 'usage_based' });
        const second = await processRouter(engine, prefix, clock.now, { strategy: 'usage_based' });
        for (let call = 0; call < 5; call += 1) {
          const lease = first.acquire('m', { exclude: ['b'], promptTokens: 50 });
          if (typeof lease === 'string') throw new Error(lease);
          lease.succeed({ totalTokens: 100 });
        }
        expect(first.pick('m', { exclude: ['b'] })).toBe('none_available');
        await first.syncShared();
        // Not yet synced: the second process has seen no usage of 'a'.
        expect(picks(second, 1, ['b'])).toEqual(['a']);
        await second.syncShared();
        expect(second.pick('m', { exclude: ['b'] })).toBe('none_available');
        expect(metricsOf(second, 'a')).toMatchObject({ requestsThisMinute: 5, tokensThisMinute: 500 });
        expect(new Set(picks(second, 20))).toEqual(new Set(['b']));
        const admin = await client();
        expect(await usageTotals(admin, `{${prefix}}:usage:${Math.floor(clock.nowMs / 60_000)}:a`)).toEqual({ r: 5, t: 500 });

        // The second process's own calls count for the first one too.
        const lease = second.acquire('m', { promptTokens: 10 });
        if (typeof lease === 'string') throw new Error(lease);
        expect(lease.deployment.id).toBe('b');
        lease.succeed();
        await second.syncShared();
        await first.syncShared();
        expect(metricsOf(first, 'b')).toMatchObject({ requestsThisMinute: 1, tokensThisMinute: 10 });
      });

      it('routers joined by name (as worker threads join) report every call once, with or without `shared` of their own', async () => {
        const prefix = `test-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const name = uniqueName(`joined-${engine}`);
        // Three handles on one router, as three worker threads of one process hold it: two sync
        // with Redis, one does not.
        const syncing = [await processRouter(engine, prefix, clock.now, { name }), await processRouter(engine, prefix, clock.now, { name })];
        const quiet = createRouter({ engine, name, clock: clock.now, deployments: [{ id: 'a', model: 'm', weight: 200, rpm: 5 }, { id: 'b', model: 'm', weight: 1, rpm: 5 }] });
        routers.push(quiet);
        const call = (router: Router, tokens: number) => {
          const lease = router.acquire('m', { exclude: ['b'], promptTokens: tokens });
          if (typeof lease === 'string') throw new Error(lease);
          lease.succeed({ totalTokens: tokens });
        };
        call(syncing[0]!, 10);
        call(syncing[1]!, 20);
        call(quiet, 30);
        await syncing[0]!.syncShared();
        await syncing[1]!.syncShared();
        call(syncing[1]!, 40);
        await syncing[1]!.syncShared();
        await syncing[0]!.syncShared();
        const admin = await client();
        expect(await usageTotals(admin, `{${prefix}}:usage:${Math.floor(clock.nowMs / 60_000)}:a`)).toEqual({ r: 4, t: 100 });
        // Every handle sees the 4 calls once: none of them is taken for another process's.
        for (const router of [...syncing, quiet]) expect(metricsOf(router, 'a')).toMatchObject({ requestsThisMinute: 4, tokensThisMinute: 100 });
        // Another process sees them as others' usage.
        const other = await processRouter(engine, prefix, clock.now);
        expect(metricsOf(other, 'a')).toMatchObject({ requestsThisMinute: 4, tokensThisMinute: 100 });
      });

      it('when Redis dies, routing goes on locally and an event is published; after a restart the state is shared again', async () => {
        const prefix = `test-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const events: { channel: string; payload: Record<string, unknown> }[] = [];
        const listeners = [ROUTER_CHANNELS.sharedUnavailable, ROUTER_CHANNELS.sharedRecovered].map((channel) => {
          const listener = (payload: unknown) => events.push({ channel, payload: payload as Record<string, unknown> });
          subscribe(channel, listener);
          return [channel, listener] as const;
        });
        try {
          const fast = { syncIntervalMs: 50, commandTimeoutMs: 300 };
          const first = await processRouter(engine, prefix, clock.now, {}, fast);
          const second = await processRouter(engine, prefix, clock.now, {}, fast);
          const strict = await processRouter(engine, prefix, clock.now, {}, { ...fast, onUnavailable: 'closed' });
          await server.stop();
          // The interval keeps syncing (every 50 ms): each router notices on its own.
          await waitFor('the outage to be noticed', () => first.sharedUnavailable && strict.sharedUnavailable);
          expect(events).toContainEqual({ channel: ROUTER_CHANNELS.sharedUnavailable, payload: expect.objectContaining({ router: first.name, policy: 'local' }) });
          expect(strict.pick('m')).toBe('none_available');

          // Local routing goes on, cooldowns included.
          expect(picks(first, 20)).toContain('a');
          const lease = first.acquire('m', { exclude: ['b'] });
          if (typeof lease === 'string') throw new Error(lease);
          lease.fail(rateLimited());
          expect(new Set(picks(first, 30))).toEqual(new Set(['b']));

          await server.start();
          await waitFor('recovery', () => !first.sharedUnavailable && !second.sharedUnavailable && !strict.sharedUnavailable);
          expect(events).toContainEqual({ channel: ROUTER_CHANNELS.sharedRecovered, payload: { router: first.name, policy: 'local' } });
          expect(typeof strict.pick('m')).toBe('object');
          // The cooldown started during the outage reaches the other process once Redis is back.
          await waitFor('the cooldown to reach the second process', () => metricsOf(second, 'a').coolingUntilMs > clock.nowMs + 14_000);
          expect(new Set(picks(second, 30))).toEqual(new Set(['b']));
        } finally {
          for (const [channel, listener] of listeners) unsubscribe(channel, listener);
        }
      });
    });
  }
});
