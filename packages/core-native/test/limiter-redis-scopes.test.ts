import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLimiter, ioredisEvaluator, redisAcquireAll, redisTryAcquireAll, type RedisLimiter, type RedisLimiterOptions } from '../src/limiter/index.js';
import { REDIS_INSTALL_HINT, connectRedis, redisServerInstalled, startRedisServer, type RedisServer } from './support/redis-server.js';

const installed = redisServerInstalled();
if (!installed && process.env['TOLLGATE_REQUIRE_REDIS'] === '1') {
  throw new Error(`TOLLGATE_REQUIRE_REDIS=1 but redis-server is not installed (${REDIS_INSTALL_HINT}).`);
}

describe.skipIf(!installed)('Redis limiters over several scopes at once, against a real redis-server', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let shared: Redis;
  const connect = (): Promise<Redis> => connectRedis(server.port, clients);
  let names = 0;
  const limiter = (options: Omit<RedisLimiterOptions, 'redis' | 'name'>, redis = shared): RedisLimiter =>
    createRedisLimiter({ redis: ioredisEvaluator(redis), name: `scopes-${process.pid}-${(names += 1)}`, ...options } as RedisLimiterOptions);

  beforeAll(async () => {
    server = await startRedisServer();
    shared = await connect();
  });
  afterAll(async () => {
    clients.forEach((redis) => redis.disconnect());
    await server?.dispose();
  });

  it('is all or nothing: a refusal by one scope keeps nothing from the others', async () => {
    const perUser = limiter({ requestsPerMinute: 2 });
    const perTeam = limiter({ requestsPerMinute: 10, tokensPerMinute: 5000 });
    const scopes = [{ limiter: perUser, key: 'user:1' }, { limiter: perTeam, key: 'team:blue' }];
    for (let round = 0; round < 2; round += 1) expect((await redisTryAcquireAll(scopes, { tokens: 100 })).allowed).toBe(true);
    const refused = await redisTryAcquireAll(scopes, { tokens: 100 });
    expect(refused).toMatchObject({ allowed: false, source: 'redis', limitedBy: { scope: 0, limit: 'requestsPerMinute' } });
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.remainingByScope).toEqual([{ requestsPerMinute: 0 }, { requestsPerMinute: 8, tokensPerMinute: 4800 }]);
    const team = await perTeam.tryAcquire('team:blue', { tokens: 0 });
    expect(team.remaining).toEqual({ requestsPerMinute: 7, tokensPerMinute: 4800 });
  });

  it('settles tokens and releases in-flight slots in every scope of the lease', async () => {
    const perUser = limiter({ tokensPerMinute: 1000, maxInFlight: 1 });
    const perTeam = limiter({ tokensPerMinute: 3000, maxInFlight: 5 });
    const scopes = [{ limiter: perUser, key: 'u' }, { limiter: perTeam, key: 't' }];
    const decision = await redisTryAcquireAll(scopes, { tokens: 900 });
    expect(decision.remainingByScope).toEqual([{ tokensPerMinute: 100, inFlight: 0 }, { tokensPerMinute: 2100, inFlight: 4 }]);
    await decision.lease!.settle({ tokens: 300 });
    expect(await decision.lease!.release()).toBe(true);
    expect(await decision.lease!.release()).toBe(false);
    const after = await redisTryAcquireAll(scopes, { tokens: 0 });
    expect(after.remainingByScope).toEqual([{ tokensPerMinute: 700, inFlight: 0 }, { tokensPerMinute: 2700, inFlight: 4 }]);
    await after.lease!.release();
  });

  it('redisAcquireAll waits until every scope has room, then takes from all of them', async () => {
    const perUser = limiter({ maxInFlight: 1, pollIntervalMs: 20 });
    const perTeam = limiter({ maxInFlight: 2, pollIntervalMs: 20 });
    const held = (await perUser.tryAcquire('u')).lease!;
    let admitted = false;
    const waiting = redisAcquireAll([{ limiter: perUser, key: 'u' }, { limiter: perTeam, key: 't' }], {}, { timeoutMs: 5000 }).then((lease) => ((admitted = true), lease));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(admitted).toBe(false);
    expect((await perTeam.tryAcquire('t', { requests: 0 })).remaining).toEqual({ inFlight: 2 });
    await held.release();
    const lease = await waiting;
    expect((await perTeam.tryAcquire('t', { requests: 0 })).remaining).toEqual({ inFlight: 1 });
    expect(await lease.release()).toBe(true);
    await expect(redisAcquireAll([{ limiter: perUser, key: 'u' }], { requests: 2 })).rejects.toMatchObject({ code: 'ERR_COST_EXCEEDS_CAPACITY' });
  });

  it('rejects bad scopes with typed errors that name the field', async () => {
    const one = limiter({ requestsPerMinute: 5 });
    const elsewhere = limiter({ requestsPerMinute: 5 }, await connect());
    await expect(redisTryAcquireAll([])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'scopes' });
    await expect(redisTryAcquireAll([{ limiter: one, key: 'a' }, { limiter: elsewhere, key: 'b' }])).rejects.toMatchObject({ field: 'scopes[1].limiter' });
    await expect(redisTryAcquireAll([{ limiter: one, key: 'a' }, { limiter: one, key: 'a' }])).rejects.toMatchObject({ field: 'scopes[1].key' });
    await expect(redisAcquireAll([{ limiter: one, key: '' }])).rejects.toMatchObject({ field: 'scopes[0].key' });
    await expect(redisTryAcquireAll([{ limiter: one, key: 'a' }], { tokens: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('while Redis is down the strictest policy of the scopes answers, and local limits hold', async () => {
    const own = await startRedisServer();
    try {
      const redis = await connectRedis(own.port, clients);
      const open = limiter({ requestsPerMinute: 5, onUnavailable: 'open', commandTimeoutMs: 300 }, redis);
      const local = limiter({ requestsPerMinute: 2, onUnavailable: 'local', commandTimeoutMs: 300 }, redis);
      const closed = limiter({ requestsPerMinute: 5, onUnavailable: 'closed', commandTimeoutMs: 300 }, redis);
      await own.stop();
      const openAndLocal = [{ limiter: open, key: 'k' }, { limiter: local, key: 'k' }];
      const answers = [];
      for (let round = 0; round < 3; round += 1) answers.push(await redisTryAcquireAll(openAndLocal));
      expect(answers.map((answer) => [answer.allowed, answer.source])).toEqual([[true, 'local'], [true, 'local'], [false, 'local']]);
      expect(answers[2]).toMatchObject({ limitedBy: { scope: 1, limit: 'requestsPerMinute' } });
      const withClosed = await redisTryAcquireAll([...openAndLocal, { limiter: closed, key: 'k' }]);
      expect([withClosed.allowed, withClosed.source]).toEqual([false, 'closed']);
      expect((await redisTryAcquireAll([{ limiter: open, key: 'k' }])).source).toBe('open');
    } finally {
      await own.dispose();
    }
  });
});
