import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock } from '../src/limiter/index.js';

describe('idle keys', () => {
  it('100,000 idle keys are evicted and their memory is reused', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerSecond: 5, tokensPerMinute: 1000, clock });
    for (let index = 0; index < 100_000; index += 1) limiter.tryAcquire(`user-${index}`, { tokens: 1 });
    const full = limiter.stats();
    expect(full.keys).toBe(100_000);
    await clock.advance(30_000);
    expect(limiter.evictIdle()).toBe(0);
    await clock.advance(35_001);
    expect(limiter.evictIdle()).toBe(100_000);
    expect(limiter.stats()).toMatchObject({ keys: 0, evicted: 100_000 });
    for (let index = 0; index < 100_000; index += 1) limiter.tryAcquire(`other-${index}`, { tokens: 1 });
    expect(limiter.stats().approximateBytes).toBeLessThanOrEqual(full.approximateBytes * 1.05);
  });

  it('keys that are still counted, or hold a lease, are kept', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerSecond: 5, maxInFlight: 2, clock });
    const lease = limiter.tryAcquire('busy').lease!;
    limiter.tryAcquire('done').lease!.release();
    await clock.advance(60_000);
    expect(limiter.evictIdle()).toBe(1);
    expect(limiter.stats().keys).toBe(1);
    lease.release();
    expect(limiter.evictIdle()).toBe(1);
  });

  it('keys churned through steadily are evicted along the way, keeping the table bounded', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerSecond: 5, clock });
    for (let index = 0; index < 200_000; index += 1) {
      limiter.tryAcquire(`user-${index}`);
      if (index % 1000 === 999) await clock.advance(100);
    }
    expect(limiter.stats().keys).toBeLessThan(30_000);
  });

  it('a handle whose key was evicted keeps working', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerSecond: 1, clock });
    const key = limiter.key('k');
    expect(limiter.tryAcquire(key).allowed).toBe(true);
    await clock.advance(5000);
    expect(limiter.evictIdle()).toBe(1);
    expect(limiter.tryAcquire(key).allowed).toBe(true);
    expect(limiter.tryAcquire('k').allowed).toBe(false);
  });
});
