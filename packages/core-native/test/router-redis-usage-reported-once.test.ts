// Usage a shared router reports to Redis counts every call exactly once: through syncs that time
// out after their script ran, settle corrections, joined routers syncing at once, a sync asked
// for while one runs, a joined router closing, a minute ending between syncs, and Redis
// restarting empty. (Found by a hostile review; each case failed before reports became totals.)
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisEvaluator, type RedisEvaluator } from '../src/limiter/index.js';
import { createRouter, type Router, type RouterOptions } from '../src/router/index.js';
import { ENGINES, fakeClock, uniqueName } from './router-fixtures.js';
import { connectRedis, redisServerInstalled, startRedisServer, usageTotals, type RedisServer } from './support/redis-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps an evaluator: `before` ms before sending, `after` ms after the script ran (answer held back). */
function controlled(inner: RedisEvaluator) {
  const control = { before: 0, after: 0, calls: 0 };
  const evaluator: RedisEvaluator = {
    async evaluate(script, keys, args) {
      control.calls += 1;
      const { before, after } = control;
      if (before > 0) await sleep(before);
      const answer = await inner.evaluate(script, keys, args);
      if (after > 0) await sleep(after);
      return answer;
    },
  };
  return { evaluator, control };
}

describe.skipIf(!redisServerInstalled())('shared router usage reaches Redis exactly once', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const routers: Router[] = [];
  let prefixes = 0;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    routers.forEach((router) => router.close());
    clients.forEach((client) => client.disconnect());
    await redis?.dispose();
  });
  const client = () => connectRedis(redis.port, clients);

  const deployments = [{ id: 'a', model: 'm', weight: 1, rpm: 6 }];
  async function make(engine: 'native' | 'fallback', prefix: string, clock: () => number, name: string, extra: Partial<NonNullable<RouterOptions['shared']>> = {}) {
    const { evaluator, control } = controlled(ioredisEvaluator(await client()));
    const router = createRouter({ engine, name, seed: 1, clock, deployments, shared: { redis: evaluator, prefix, syncIntervalMs: 60_000, commandTimeoutMs: 150, ...extra } });
    routers.push(router);
    await router.syncShared();
    return { router, control };
  }
  const call = (router: Router, tokens: number, total?: number) => {
    const lease = router.acquire('m', { promptTokens: tokens });
    if (typeof lease === 'string') throw new Error(lease);
    lease.succeed(total === undefined ? undefined : { totalTokens: total });
  };
  const usage = async (prefix: string, minute: number) => usageTotals(await client(), `{${prefix}}:usage:${minute}:a`);

  for (const engine of ENGINES) {
    describe(`${engine}`, () => {
      it('a sync that times out after the script ran is not counted twice', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const { router, control } = await make(engine, prefix, clock.now, uniqueName('timeout'));
        call(router, 100);
        call(router, 100);
        call(router, 100);
        control.after = 400; // script runs, answer arrives after commandTimeoutMs (150)
        await router.syncShared();
        expect(router.sharedUnavailable).toBe(true);
        await sleep(450);
        control.after = 0;
        await router.syncShared();
        expect(router.sharedUnavailable).toBe(false);
        // This process made 3 calls of 100 tokens.
        expect(await usage(prefix, Math.floor(clock.nowMs / 60_000))).toEqual({ r: 3, t: 300 });
      });

      it('a settle correction (negative delta) whose sync times out is not applied twice', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const { router, control } = await make(engine, prefix, clock.now, uniqueName('negative'));
        const lease = router.acquire('m', { promptTokens: 1000 });
        if (typeof lease === 'string') throw new Error(lease);
        await router.syncShared(); // reports r=1, t=1000
        lease.succeed({ totalTokens: 100 }); // -900
        control.after = 400;
        await router.syncShared();
        await sleep(450);
        control.after = 0;
        await router.syncShared();
        expect(await usage(prefix, Math.floor(clock.nowMs / 60_000))).toEqual({ r: 1, t: 100 });
      });

      it('two joined routers syncing concurrently (answers out of order): own calls are never taken for others\' usage', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const name = uniqueName('joined');
        const first = await make(engine, prefix, clock.now, name);
        const second = await make(engine, prefix, clock.now, name);
        for (let i = 0; i < 3; i += 1) call(first.router, 10);
        first.control.before = 100; // first takes its report now, its script runs later
        const slow = first.router.syncShared();
        for (let i = 0; i < 2; i += 1) call(second.router, 10);
        await second.router.syncShared(); // takes 2, runs first
        await slow;
        first.control.before = 0;
        expect(await usage(prefix, Math.floor(clock.nowMs / 60_000))).toEqual({ r: 5, t: 50 });
        // 5 calls this minute, rpm 6: one more fits.
        const row = first.router.snapshot().find((r) => r.id === 'a')!;
        expect(row.requestsThisMinute).toBe(5);
        expect(typeof first.router.pick('m')).toBe('object');
      });

      it('await syncShared() after calls sends those calls (not only what an in-flight sync took earlier)', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const { router, control } = await make(engine, prefix, clock.now, uniqueName('flush'));
        control.before = 100;
        const interval = router.syncShared(); // stands for an interval sync already in flight
        control.before = 0;
        call(router, 10);
        call(router, 10);
        call(router, 10);
        await router.syncShared(); // e.g. before shutdown
        await interval;
        expect(await usage(prefix, Math.floor(clock.nowMs / 60_000))).toEqual({ r: 3, t: 30 });
      });

      it('closing one of several joined handles (a worker thread exiting) leaves one router per name', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const name = uniqueName('close-joined');
        const first = await make(engine, prefix, clock.now, name);
        const leaving = await make(engine, prefix, clock.now, name);
        call(first.router, 10);
        leaving.router.close();
        const joiningLater = await make(engine, prefix, clock.now, name);
        expect(joiningLater.router.snapshot()[0]!.calls).toBe(first.router.snapshot()[0]!.calls);
      });

      it('calls made after the last sync of a minute reach that minute\'s key (minute roll-over)', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock(60_000 * 1000 + 59_000);
        const { router } = await make(engine, prefix, clock.now, uniqueName('rollover'));
        const minute = Math.floor(clock.nowMs / 60_000);
        call(router, 10);
        call(router, 10);
        clock.advance(1_500); // next minute before the next sync
        await router.syncShared();
        expect(await usage(prefix, minute)).toEqual({ r: 2, t: 20 });
      });

      it('after Redis restarts empty, a process re-sends this minute\'s usage (other processes see it)', async () => {
        const prefix = `once-${process.pid}-${(prefixes += 1)}`;
        const clock = fakeClock();
        const { router } = await make(engine, prefix, clock.now, uniqueName('restart'));
        call(router, 10);
        call(router, 10);
        await router.syncShared();
        await redis.stop();
        await redis.start();
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline) {
          await router.syncShared();
          if (!router.sharedUnavailable) break;
          await sleep(50);
        }
        call(router, 10);
        await router.syncShared();
        expect(await usage(prefix, Math.floor(clock.nowMs / 60_000))).toEqual({ r: 3, t: 30 });
      });
    });
  }
});
