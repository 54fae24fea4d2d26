import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLimiter, ioredisEvaluator, type RedisLimiterOptions } from '../src/limiter/index.js';
import { REDIS_INSTALL_HINT, connectRedis, redisServerInstalled, startRedisServer, type RedisServer } from './support/redis-server.js';

const installed = redisServerInstalled();
if (!installed && process.env['TOLLGATE_REQUIRE_REDIS'] === '1') {
  throw new Error(`TOLLGATE_REQUIRE_REDIS=1 but redis-server is not installed (${REDIS_INSTALL_HINT}).`);
}
if (!installed) process.stderr.write(`limiter-redis tests skipped: redis-server is not installed (${REDIS_INSTALL_HINT}).\n`);

describe.skipIf(!installed)('Redis limiter against a real redis-server', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const client = (): Promise<Redis> => connectRedis(server.port, clients);
  let names = 0;
  const limiter = async (options: Omit<RedisLimiterOptions, 'redis' | 'name'>) =>
    createRedisLimiter({ redis: ioredisEvaluator(await client()), name: `test-${process.pid}-${(names += 1)}`, ...options } as RedisLimiterOptions);

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    clients.forEach((redis) => redis.disconnect());
    await server?.dispose();
  });

  it('with a limit of N, N + 1 simultaneous tries from several connections admit exactly N', async () => {
    const first = await limiter({ requestsPerMinute: 50 });
    const others = (await Promise.all([client(), client(), client()])).map((redis) => createRedisLimiter({ redis: ioredisEvaluator(redis), name: first.name, requestsPerMinute: 50 }));
    const all = [first, ...others];
    const decisions = await Promise.all(Array.from({ length: 51 }, (_, index) => all[index % 4]!.tryAcquire('k')));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(50);
    const refused = decisions.find((decision) => !decision.allowed)!;
    expect(refused).toMatchObject({ source: 'redis', limitedBy: { limit: 'requestsPerMinute' }, remaining: { requestsPerMinute: 0 } });
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
  });

  it('sequential acquire and release loops always admit, with an in-flight limit of 1', async () => {
    const shared = await limiter({ maxInFlight: 1 });
    for (let round = 0; round < 200; round += 1) {
      const lease = await shared.acquire('k', {}, { timeoutMs: 2000 });
      expect(await lease.release()).toBe(true);
    }
  });

  it('an acquire waiting on one connection is admitted after a release on another', async () => {
    const first = await limiter({ maxInFlight: 1 });
    const second = createRedisLimiter({ redis: ioredisEvaluator(await client()), name: first.name, maxInFlight: 1, pollIntervalMs: 20 });
    const held = (await first.tryAcquire('k')).lease!;
    let admitted = false;
    const waiting = second.acquire('k', {}, { timeoutMs: 5000 }).then((lease) => ((admitted = true), lease));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(admitted).toBe(false);
    await held.release();
    expect(await (await waiting).release()).toBe(true);
  });

  it('settle refunds and charges tokens in Redis', async () => {
    const shared = await limiter({ tokensPerMinute: 1000 });
    const lease = (await shared.tryAcquire('k', { tokens: 800 })).lease!;
    expect((await shared.tryAcquire('k', { tokens: 300 })).allowed).toBe(false);
    await lease.settle({ tokens: 200 });
    expect((await shared.tryAcquire('k', { tokens: 300 })).remaining).toEqual({ tokensPerMinute: 500 });
    await lease.settle({ tokens: 600 });
    expect((await shared.tryAcquire('k', { tokens: 0 })).remaining).toEqual({ tokensPerMinute: 100 });
  });

  it('a cost larger than a limit is rejected at once', async () => {
    const shared = await limiter({ tokensPerMinute: 10 });
    await expect(shared.acquire('k', { tokens: 11 })).rejects.toMatchObject({ code: 'ERR_COST_EXCEEDS_CAPACITY' });
  });

  it('a start rate of 1 per second never lets two starts happen within one second', async () => {
    const shared = await limiter({ requestsPerSecond: 1 });
    const starts: number[] = [];
    const stopAt = Date.now() + 3500;
    while (Date.now() < stopAt) {
      const decision = await shared.tryAcquire('k');
      if (decision.allowed) starts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(starts.length).toBeGreaterThanOrEqual(3);
    for (let index = 1; index < starts.length; index += 1) expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(990);
  });

  it('killing Redis mid-run applies each policy without a crash, says so, and recovers', async () => {
    const events: string[] = [];
    const onDown = (message: unknown): void => void events.push(`down:${(message as { policy: string }).policy}`);
    const onUp = (message: unknown): void => void events.push(`up:${(message as { policy: string }).policy}`);
    subscribe('tollgate:limiter:backend-unavailable', onDown);
    subscribe('tollgate:limiter:backend-recovered', onUp);
    try {
      const open = await limiter({ requestsPerMinute: 2, onUnavailable: 'open', commandTimeoutMs: 300 });
      const closed = await limiter({ requestsPerMinute: 2, onUnavailable: 'closed', commandTimeoutMs: 300 });
      const local = await limiter({ requestsPerMinute: 2, onUnavailable: 'local', commandTimeoutMs: 300 });
      for (const shared of [open, closed, local]) expect((await shared.tryAcquire('k')).source).toBe('redis');

      await server.stop();
      const whileDown = await Promise.all([open, closed, local].map((shared) => Promise.all([1, 2, 3].map(() => shared.tryAcquire('k')))));
      expect(whileDown[0]!.map((decision) => [decision.allowed, decision.source])).toEqual([[true, 'open'], [true, 'open'], [true, 'open']]);
      expect(whileDown[1]!.map((decision) => [decision.allowed, decision.source])).toEqual([[false, 'closed'], [false, 'closed'], [false, 'closed']]);
      expect(whileDown[2]!.map((decision) => [decision.allowed, decision.source])).toEqual([[true, 'local'], [true, 'local'], [false, 'local']]);
      expect(events).toEqual(['down:open', 'down:closed', 'down:local']);

      await server.start();
      await expect.poll(async () => (await closed.tryAcquire('k')).source, { timeout: 10_000, interval: 100 }).toBe('redis');
      expect((await open.tryAcquire('k')).source).toBe('redis');
      const recovered = await local.tryAcquire('k');
      expect(recovered).toMatchObject({ source: 'redis', allowed: true, remaining: { requestsPerMinute: 1 } });
      expect(events.slice(3).sort()).toEqual(['up:closed', 'up:local', 'up:open']);
    } finally {
      unsubscribe('tollgate:limiter:backend-unavailable', onDown);
      unsubscribe('tollgate:limiter:backend-recovered', onUp);
    }
  });
});
