import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock, type Lease } from '../src/limiter/index.js';

describe('acquire waits in fair order', () => {
  it('serves waiters first come, first served as room appears', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerSecond: 1, clock });
    const order: number[] = [];
    const waits = [0, 1, 2, 3].map((index) => limiter.acquire('k').then(() => order.push(index)));
    await clock.advance(0);
    expect(order).toEqual([0]);
    await clock.advance(3 * 1084);
    await Promise.all(waits);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('a large request at the head is not starved by small ones behind it', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ tokensPerMinute: 100, clock });
    limiter.tryAcquire('k', { tokens: 60 });
    const order: string[] = [];
    const big = limiter.acquire('k', { tokens: 80 }).then(() => order.push('big'));
    const small = limiter.acquire('k', { tokens: 10 }).then(() => order.push('small'));
    await clock.advance(1000);
    expect(order).toEqual([]);
    await clock.advance(65_000);
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
  });

  it('higher priority goes first', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ maxInFlight: 1, clock });
    const holder = await limiter.acquire('k');
    const order: string[] = [];
    const low = limiter.acquire('k', {}, { priority: 0 }).then((lease) => (order.push('low'), lease));
    const high = limiter.acquire('k', {}, { priority: 5 }).then((lease) => (order.push('high'), lease));
    holder.release();
    await clock.advance(0);
    expect(order).toEqual(['high']);
    (await high).release();
    await clock.advance(0);
    expect(order).toEqual(['high', 'low']);
    (await low).release();
  });

  it('rejects with ERR_LIMIT_TIMEOUT after timeoutMs and then holds nothing', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ maxInFlight: 1, clock });
    const holder = await limiter.acquire('k');
    const waiting = limiter.acquire('k', {}, { timeoutMs: 500 });
    const outcome = waiting.catch((error: unknown) => error);
    await clock.advance(499);
    expect(limiter.stats().waiting).toBe(1);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ code: 'ERR_LIMIT_TIMEOUT', field: 'timeoutMs' });
    expect(limiter.stats()).toMatchObject({ waiting: 0, leases: 1 });
    holder.release();
    expect(limiter.tryAcquire('k').allowed).toBe(true);
  });

  it('rejects with ERR_ABORTED when the signal aborts, before or while waiting', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ maxInFlight: 1, clock });
    await expect(limiter.acquire('k', {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const holder: Lease = await limiter.acquire('k');
    const controller = new AbortController();
    const waiting = limiter.acquire('k', {}, { signal: controller.signal }).catch((error: unknown) => error);
    await clock.advance(10);
    controller.abort(new Error('user left'));
    expect(await waiting).toMatchObject({ code: 'ERR_ABORTED' });
    expect(limiter.stats().waiting).toBe(0);
    holder.release();
  });
});
