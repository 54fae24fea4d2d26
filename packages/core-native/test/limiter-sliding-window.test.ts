import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock } from '../src/limiter/index.js';
import { randomSteps } from './support/random-steps.js';


describe('sliding windows', () => {
  it('a start rate of 1 per second never lets two starts happen within one second', async () => {
    const clock = createManualClock(123);
    const limiter = createLimiter({ requestsPerSecond: 1, clock });
    const next = randomSteps(7);
    const starts: number[] = [];
    for (let step = 0; step < 5000; step += 1) {
      if (limiter.tryAcquire('k').allowed) starts.push(clock.now());
      await clock.advance(Math.floor(next() * 40));
    }
    expect(starts.length).toBeGreaterThan(60);
    for (let index = 1; index < starts.length; index += 1) expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('no span of one window ever holds more than the limit (no double burst at an edge)', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ tokensPerMinute: 1000, clock });
    const next = randomSteps(99);
    const taken: [number, number][] = [];
    for (let step = 0; step < 4000; step += 1) {
      const tokens = 1 + Math.floor(next() * 200);
      if (limiter.tryAcquire('k', { tokens }).allowed) taken.push([clock.now(), tokens]);
      await clock.advance(Math.floor(next() * 400));
    }
    for (const [start] of taken) {
      const inSpan = taken.filter(([at]) => at >= start && at < start + 60_000).reduce((sum, [, tokens]) => sum + tokens, 0);
      expect(inSpan).toBeLessThanOrEqual(1000);
    }
    expect(taken.length).toBeGreaterThan(100);
  });

  it('a full window at its edge does not admit a second full burst right after', async () => {
    const clock = createManualClock(59_990);
    const limiter = createLimiter({ requestsPerMinute: 10, clock });
    for (let index = 0; index < 10; index += 1) expect(limiter.tryAcquire('k').allowed).toBe(true);
    await clock.advance(20);
    expect(limiter.tryAcquire('k').allowed).toBe(false);
    const retry = limiter.tryAcquire('k').retryAfterMs;
    expect(clock.now() + retry).toBeGreaterThanOrEqual(59_990 + 60_000);
    await clock.advance(retry);
    expect(limiter.tryAcquire('k').allowed).toBe(true);
  });

  it('hour and day windows count requests and tokens', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ requestsPerHour: 2, tokensPerDay: 50, clock });
    expect(limiter.tryAcquire('k', { tokens: 30 }).allowed).toBe(true);
    expect(limiter.tryAcquire('k', { tokens: 30 })).toMatchObject({ allowed: false, limitedBy: { limit: 'tokensPerDay' } });
    expect(limiter.tryAcquire('k', { tokens: 20 }).allowed).toBe(true);
    expect(limiter.tryAcquire('k')).toMatchObject({ allowed: false, limitedBy: { limit: 'requestsPerHour' } });
    await clock.advance(3_900_000);
    expect(limiter.tryAcquire('k')).toMatchObject({ allowed: true, remaining: { requestsPerHour: 1, tokensPerDay: 0 } });
  });
});

describe('token bucket', () => {
  it('allows a burst of its capacity, then refills at its rate', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ limits: [{ type: 'bucket', measure: 'tokens', capacity: 100, refillPerSecond: 10 }], clock });
    expect(limiter.tryAcquire('k', { tokens: 100 }).allowed).toBe(true);
    const refused = limiter.tryAcquire('k', { tokens: 25 });
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 2500, remaining: { tokensBucket: 0 } });
    await clock.advance(2499);
    expect(limiter.tryAcquire('k', { tokens: 25 }).allowed).toBe(false);
    await clock.advance(1);
    expect(limiter.tryAcquire('k', { tokens: 25 })).toMatchObject({ allowed: true, remaining: { tokensBucket: 0 } });
    await clock.advance(60_000);
    expect(limiter.tryAcquire('k', { tokens: 0 }).remaining).toEqual({ tokensBucket: 100 });
  });
});
