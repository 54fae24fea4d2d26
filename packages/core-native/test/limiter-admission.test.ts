import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock } from '../src/limiter/index.js';

describe('limiter admission', () => {
  it('with a limit of N, N + 1 simultaneous tries admit exactly N', () => {
    for (const limits of [{ requestsPerMinute: 5 }, { maxInFlight: 5 }, { limits: [{ type: 'bucket', measure: 'requests', capacity: 5, refillPerSecond: 0.001 }] as const }]) {
      const limiter = createLimiter({ ...limits, clock: createManualClock() });
      const decisions = Array.from({ length: 6 }, () => limiter.tryAcquire('user'));
      expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false]);
      expect(decisions[5]!.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('with a limit of N, N + 1 simultaneous acquires admit N and queue the last', async () => {
    const clock = createManualClock();
    const limiter = createLimiter({ maxInFlight: 3, clock });
    let admitted = 0;
    const all = Promise.allSettled(Array.from({ length: 4 }, () => limiter.acquire('user', {}, { timeoutMs: 100 }).then(() => (admitted += 1))));
    await clock.advance(0);
    expect(admitted).toBe(3);
    await clock.advance(100);
    const results = await all;
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
  });

  it('sequential acquire and release loops always admit', async () => {
    const limiter = createLimiter({ maxInFlight: 1, clock: createManualClock() });
    for (let round = 0; round < 1000; round += 1) {
      const lease = await limiter.acquire('user', {}, { timeoutMs: 0 });
      expect(lease.release()).toBe(true);
    }
    expect(limiter.stats()).toMatchObject({ admitted: 1000, leases: 0 });
  });

  it('reports what remains under each limit, never negative, and retryAfterMs when refused', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerSecond: 2, tokensPerMinute: 1000, maxInFlight: 10, clock });
    const first = limiter.tryAcquire('user', { tokens: 600 });
    expect(first).toMatchObject({ allowed: true, retryAfterMs: 0, remaining: { requestsPerSecond: 1, tokensPerMinute: 400, inFlight: 9 } });
    first.lease!.settle({ tokens: 1600 });
    const second = limiter.tryAcquire('user', { tokens: 1 });
    expect(second.allowed).toBe(false);
    expect(second.remaining).toEqual({ requestsPerSecond: 1, tokensPerMinute: 0, inFlight: 9 });
    expect(second.limitedBy).toEqual({ scope: 0, limit: 'tokensPerMinute' });
    expect(second.retryAfterMs).toBe(65_000);
    await clock.advance(64_999);
    expect(limiter.tryAcquire('user', { tokens: 1 }).allowed).toBe(false);
    await clock.advance(1);
    expect(limiter.tryAcquire('user', { tokens: 1 }).allowed).toBe(true);
  });

  it('keys are independent, and a resolved key handle gives the same answers as its name', () => {
    const limiter = createLimiter({ requestsPerMinute: 1, clock: createManualClock() });
    const handle = limiter.key('a');
    expect(limiter.tryAcquire(handle).allowed).toBe(true);
    expect(limiter.tryAcquire('a').allowed).toBe(false);
    expect(limiter.tryAcquire('b').allowed).toBe(true);
  });

  it('a cost larger than a limit can ever hold is rejected at once with a typed error', async () => {
    const limiter = createLimiter({ tokensPerMinute: 100, clock: createManualClock() });
    expect(() => limiter.tryAcquire('user', { tokens: 101 })).toThrow(expect.objectContaining({ code: 'ERR_COST_EXCEEDS_CAPACITY', field: 'tokensPerMinute' }));
    await expect(limiter.acquire('user', { tokens: 101 })).rejects.toMatchObject({ code: 'ERR_COST_EXCEEDS_CAPACITY' });
    expect(limiter.stats().waiting).toBe(0);
  });
});
