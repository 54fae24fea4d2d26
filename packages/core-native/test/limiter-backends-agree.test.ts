import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock, type Lease, type LimiterOptions } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';
import { randomSteps } from './support/random-steps.js';

const nativeLoads = !(loadNativeBinding() instanceof Error);


/** Runs one random script of tries, settles, releases and evictions and records every answer. */
async function transcript(backend: 'native' | 'fallback', options: LimiterOptions, seed: number): Promise<unknown[]> {
  const clock = createManualClock(1_000_000);
  const limiter = createLimiter({ ...options, backend, clock, leaseTimeoutMs: 20_000 });
  const next = randomSteps(seed);
  const leases: Lease[] = [];
  const seen: unknown[] = [];
  for (let step = 0; step < 3000; step += 1) {
    const action = next();
    const key = `k${Math.floor(next() * 5)}`;
    if (action < 0.6) {
      const decision = limiter.tryAcquire(key, { requests: 1 + Math.floor(next() * 2), tokens: Math.floor(next() * 300) });
      seen.push([decision.allowed, decision.retryAfterMs, decision.remaining, decision.limitedBy]);
      if (decision.lease !== undefined) leases.push(decision.lease);
    } else if (action < 0.75 && leases.length > 0) {
      leases.splice(Math.floor(next() * leases.length), 1)[0]!.settle({ tokens: Math.floor(next() * 400) });
    } else if (action < 0.9 && leases.length > 0) {
      seen.push(leases.splice(Math.floor(next() * leases.length), 1)[0]!.release());
    } else if (action < 0.92) {
      seen.push(limiter.evictIdle());
    }
    await clock.advance(Math.floor(next() * 700));
  }
  const { approximateBytes, ...counters } = limiter.stats();
  seen.push(counters, approximateBytes > 0);
  limiter.close();
  return seen;
}

const configurations: [string, LimiterOptions][] = [
  ['windows', { requestsPerSecond: 4, tokensPerMinute: 5000, tokensPerHour: 40_000 }],
  ['bucket and in flight', { limits: [{ type: 'bucket', measure: 'tokens', capacity: 800, refillPerSecond: 37.5 }], maxInFlight: 3 }],
  ['everything', { requestsPerMinute: 50, tokensPerDay: 100_000, limits: [{ type: 'bucket', measure: 'requests', capacity: 3, refillPerSecond: 0.7 }], maxInFlight: 4 }],
];

describe.skipIf(!nativeLoads)('native and fallback limiters agree', () => {
  it.each(configurations)('on a random script over %s, answer for answer', async (_, options) => {
    for (const seed of [1, 2, 3]) {
      const native = await transcript('native', options, seed);
      const fallback = await transcript('fallback', options, seed);
      expect(native.length).toBeGreaterThan(1500);
      expect(fallback).toEqual(native);
    }
  });
});
