import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLimiter, createRedisLimiter, ioredisEvaluator, redisAcquireAll, redisTryAcquireAll, type RedisLimiterOptions } from '../src/limiter/index.js';
import { connectRedis, redisServerInstalled, startRedisServer, type RedisServer } from './support/redis-server.js';

const installed = redisServerInstalled();

describe.skipIf(!installed)('Redis limiters over several scopes, attacked', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let shared: Redis;
  const tag = `hostile-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    server = await startRedisServer();
    shared = await connectRedis(server.port, clients);
  });
  afterAll(async () => {
    clients.forEach((redis) => redis.disconnect());
    await server?.dispose();
  });

  it('41 processes racing over two limiters admit exactly the tighter limit, all or nothing', async () => {
    const connections = await Promise.all(Array.from({ length: 41 }, () => connectRedis(server.port, clients)));
    const build = (redis: Redis, name: string, options: Omit<RedisLimiterOptions, 'redis' | 'name'>) =>
      createRedisLimiter({ redis: ioredisEvaluator(redis), name: `${tag}-${name}`, ...options } as RedisLimiterOptions);
    const answers = await Promise.all(
      connections.map((redis, index) => {
        const perUser = build(redis, 'user', { requestsPerMinute: 40 });
        const perTeam = build(redis, 'team', { requestsPerMinute: 1000, tokensPerMinute: 20 * 7 });
        // Half pass the scopes in one order, half in the other.
        const scopes = [{ limiter: perUser, key: 'u' }, { limiter: perTeam, key: 't' }];
        return redisTryAcquireAll(index % 2 === 0 ? scopes : [scopes[1]!, scopes[0]!], { tokens: 7 });
      }),
    );
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(20);
    expect(answers.every((answer) => answer.source === 'redis')).toBe(true);
    const perUser = createRedisLimiter({ redis: ioredisEvaluator(shared), name: `${tag}-user`, requestsPerMinute: 40 });
    expect((await perUser.tryAcquire('u', { requests: 0 })).remaining).toEqual({ requestsPerMinute: 20 });
  });

  it('redisAcquireAll rejects a NaN or negative timeoutMs and a non-finite priority, as acquire does', async () => {
    const local = createLimiter({ requestsPerMinute: 1, backend: 'fallback' });
    const redisLimiter = createRedisLimiter({ redis: ioredisEvaluator(shared), name: `${tag}-options`, requestsPerMinute: 1 });
    for (const options of [{ timeoutMs: Number.NaN }, { timeoutMs: -5 }, { priority: Number.NaN }]) {
      await expect(local.acquire('k', {}, options)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      const outcome = await Promise.race([
        redisAcquireAll([{ limiter: redisLimiter, key: 'k' }], {}, options).then(
          async (lease) => (await lease.release(), 'admitted'),
          (error: { code?: string }) => error.code,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000)),
      ]);
      expect({ options, outcome }).toEqual({ options, outcome: 'ERR_INVALID_ARGUMENT' });
    }
    local.close();
  });
});
