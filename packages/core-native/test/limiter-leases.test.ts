import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock } from '../src/limiter/index.js';

describe('leases', () => {
  it('settle refunds an overestimate to the slot it was taken from and charges an underestimate now', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ tokensPerMinute: 1000, limits: [{ type: 'bucket', measure: 'tokens', capacity: 500, refillPerSecond: 1 }], clock });
    const lease = limiter.tryAcquire('k', { tokens: 400 }).lease!;
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 100, tokensPerMinute: 600 });
    await clock.advance(10_000);
    lease.settle({ tokens: 100 });
    expect(lease.tokens).toBe(100);
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 410, tokensPerMinute: 900 });
    lease.settle({ tokens: 700 });
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 0, tokensPerMinute: 300 });
    await clock.advance(30_000);
    const later = limiter.tryAcquire('k', { tokens: 0 }).remaining;
    expect(later).toEqual({ tokensBucket: 0, tokensPerMinute: 300 });
    await clock.advance(25_000);
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 0, tokensPerMinute: 400 });
    await clock.advance(10_000);
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 0, tokensPerMinute: 1000 });
    await clock.advance(700_000);
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 500, tokensPerMinute: 1000 });
  });

  it('a refund after the slot has left the window gives nothing back twice', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ tokensPerSecond: 100, clock });
    const lease = limiter.tryAcquire('k', { tokens: 100 }).lease!;
    await clock.advance(1100);
    lease.settle({ tokens: 0 });
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensPerSecond: 100 });
  });

  it('release frees the in-flight slot once; a second release is a no-op', () => {
    const limiter = createLimiter({ maxInFlight: 1, clock: createManualClock() });
    const lease = limiter.tryAcquire('k').lease!;
    expect(limiter.tryAcquire('k').allowed).toBe(false);
    expect(lease.release()).toBe(true);
    expect(lease.release()).toBe(false);
    expect(limiter.tryAcquire('k').allowed).toBe(true);
    expect(limiter.tryAcquire('k').allowed).toBe(false);
  });

  it('a lease never released expires after leaseTimeoutMs', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ maxInFlight: 1, leaseTimeoutMs: 5000, clock });
    const lease = limiter.tryAcquire('k').lease!;
    const refused = limiter.tryAcquire('k');
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 5000, limitedBy: { limit: 'inFlight' } });
    await clock.advance(4999);
    expect(limiter.tryAcquire('k').allowed).toBe(false);
    await clock.advance(1);
    expect(limiter.tryAcquire('k').allowed).toBe(true);
    expect(limiter.stats()).toMatchObject({ leasesExpired: 1, leases: 1 });
    expect(lease.release()).toBe(false);
  });

  it('a waiting acquire is admitted when a lease of this thread is released', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ maxInFlight: 1, clock });
    const first = await limiter.acquire('k');
    let admitted = false;
    const second = limiter.acquire('k').then((lease) => ((admitted = true), lease));
    await clock.advance(0);
    expect(admitted).toBe(false);
    first.release();
    await clock.advance(0);
    expect(admitted).toBe(true);
    (await second).release();
  });

  it('a cost of no requests holds no in-flight slot and opens no lease', () => {
    const limiter = createLimiter({ maxInFlight: 1, tokensPerMinute: 1000 });
    for (let round = 0; round < 5; round += 1) expect(limiter.tryAcquire('k', { requests: 0, tokens: 10 }).allowed).toBe(true);
    expect(limiter.stats().leases).toBe(0);
    const held = limiter.tryAcquire('k');
    expect(held.remaining).toEqual({ tokensPerMinute: 950, inFlight: 0 });
    expect(limiter.stats().leases).toBe(1);
    expect(held.lease!.release()).toBe(true);
  });
});
