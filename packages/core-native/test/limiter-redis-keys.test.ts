import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLimiter, ioredisEvaluator, type RedisLimiterOptions } from '../src/limiter/index.js';
import { escapeKeyPart } from '../src/limiter/redis/redis-keys.js';
import { connectRedis, redisServerInstalled, startRedisServer, type RedisServer } from './support/redis-server.js';

describe('Redis key names of limiter state', () => {
  it('escape the characters that could make two limiters or keys meet', () => {
    expect(escapeKeyPart('user:42')).toBe('user%003a42');
    expect(escapeKeyPart('{tag}%')).toBe('%007btag%007d%0025');
    expect(escapeKeyPart('a\ud800b')).toBe('a%d800b');
    expect(escapeKeyPart('🎯 plain')).toBe('🎯 plain');
  });
});

describe.skipIf(!redisServerInstalled())('Redis keys and error replies, against a real redis-server', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let redis: Redis;
  const limiter = (name: string, options: Omit<RedisLimiterOptions, 'redis' | 'name'>) =>
    createRedisLimiter({ redis: ioredisEvaluator(redis), name, ...options } as RedisLimiterOptions);

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connectRedis(server.port, clients);
  });
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await server?.dispose();
  });

  it('keeps limiters whose name and key would join into the same string apart', async () => {
    const first = limiter(`a:{b}:c-${process.pid}`, { requestsPerMinute: 1 });
    const second = limiter('a', { requestsPerMinute: 1 });
    expect((await first.tryAcquire('d')).allowed).toBe(true);
    expect((await second.tryAcquire(`b}:c-${process.pid}:{d`)).allowed).toBe(true);
    expect((await limiter(`x-${process.pid}`, { requestsPerMinute: 1 }).tryAcquire('\ud800')).allowed).toBe(true);
    expect((await limiter(`x-${process.pid}`, { requestsPerMinute: 1 }).tryAcquire('\udc00')).allowed).toBe(true);
  });

  it('reports an error reply (WRONGTYPE) as ERR_LIMITER_BACKEND, not as an outage the policy hides', async () => {
    const events: unknown[] = [];
    const onDown = (message: unknown): void => void events.push(message);
    subscribe('tollgate:limiter:backend-unavailable', onDown);
    try {
      const open = limiter(`wrongtype-${process.pid}`, { requestsPerMinute: 5, onUnavailable: 'open' });
      await redis.set(open.keysOf('k')[0], 'not a hash');
      await expect(open.tryAcquire('k')).rejects.toMatchObject({ code: 'ERR_LIMITER_BACKEND' });
      await expect(open.acquire('k', {}, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'ERR_LIMITER_BACKEND' });
      expect(open.isUnavailable).toBe(false);
      expect(events).toEqual([]);
      expect((await open.tryAcquire('other')).allowed).toBe(true);
    } finally {
      unsubscribe('tollgate:limiter:backend-unavailable', onDown);
    }
  });
});
