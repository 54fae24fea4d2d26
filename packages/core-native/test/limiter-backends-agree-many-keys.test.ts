import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock, tryAcquireAll, type Lease, type LimiterOptions } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';
import { randomSteps } from './support/random-steps.js';

const nativeLoads = !(loadNativeBinding() instanceof Error);

/** A random script over 40 keys (every shard) of two limiters: single and multi-scope tries, batches, settles, releases, evictions. */
async function transcript(backend: 'native' | 'fallback', options: LimiterOptions, seed: number): Promise<unknown[]> {
  const clock = createManualClock(1_000_000);
  const first = createLimiter({ ...options, backend, clock, leaseTimeoutMs: 15_000 });
  const second = createLimiter({ requestsPerMinute: 30, maxInFlight: 2, backend, clock, leaseTimeoutMs: 9_000 });
  const next = randomSteps(seed);
  const handles = new Map<string, ReturnType<typeof first.key>>();
  const keyOf = (name: string) => {
    if (next() < 0.5) return name;
    let handle = handles.get(name);
    if (handle === undefined) handles.set(name, (handle = first.key(name)));
    return handle;
  };
  const leases: Lease[] = [];
  const seen: unknown[] = [];
  for (let step = 0; step < 4000; step += 1) {
    const action = next();
    const name = `key-${Math.floor(next() * 40)}-é🔑`;
    const cost = { requests: 1 + Math.floor(next() * 2), tokens: Math.floor(next() * 300) };
    if (action < 0.35) {
      const decision = first.tryAcquire(keyOf(name), cost);
      seen.push(['one', decision.allowed, decision.retryAfterMs, decision.remaining, decision.limitedBy]);
      if (decision.lease !== undefined) leases.push(decision.lease);
    } else if (action < 0.6) {
      const other = `key-${Math.floor(next() * 40)}-é🔑`;
      const scopes = [{ limiter: first, key: keyOf(name) }, { limiter: second, key: other }];
      const third = `key-${Math.floor(next() * 40)}-é🔑`;
      if (third !== name && next() < 0.5) scopes.push({ limiter: first, key: third });
      const decision = tryAcquireAll(scopes, cost);
      seen.push(['all', decision.allowed, decision.retryAfterMs, decision.remainingByScope, decision.limitedBy]);
      if (decision.lease !== undefined) leases.push(decision.lease);
    } else if (action < 0.68) {
      const names = Array.from({ length: 1 + Math.floor(next() * 30) }, () => keyOf(`key-${Math.floor(next() * 40)}-é🔑`));
      const batch = first.tryAcquireMany(names, cost);
      seen.push(['many', Array.from(batch.allowed), Array.from(batch.retryAfterMs)]);
    } else if (action < 0.78 && leases.length > 0) {
      leases.splice(Math.floor(next() * leases.length), 1)[0]!.settle({ tokens: Math.floor(next() * 400) });
    } else if (action < 0.9 && leases.length > 0) {
      seen.push(leases.splice(Math.floor(next() * leases.length), 1)[0]!.release());
    } else if (action < 0.92) {
      seen.push(['evict', first.evictIdle(), second.evictIdle()]);
    }
    await clock.advance(Math.floor(next() * 900));
  }
  for (const limiter of [first, second]) {
    const { approximateBytes, ...counters } = limiter.stats();
    seen.push(counters);
    limiter.close();
  }
  return seen;
}

const configurations: [string, LimiterOptions][] = [
  ['windows', { requestsPerSecond: 4, tokensPerMinute: 5000, tokensPerHour: 40_000 }],
  ['everything', { requestsPerMinute: 50, tokensPerDay: 100_000, limits: [{ type: 'bucket', measure: 'requests', capacity: 3, refillPerSecond: 0.7 }], maxInFlight: 4 }],
];

describe.skipIf(!nativeLoads)('native and fallback limiters agree over many keys and several scopes', () => {
  it.each(configurations)('on a random script over %s, answer for answer', { timeout: 60_000 }, async (_, options) => {
    for (const seed of [7, 8]) {
      const native = await transcript('native', options, seed);
      const fallback = await transcript('fallback', options, seed);
      expect(native.length).toBeGreaterThan(2000);
      for (let index = 0; index < native.length; index += 1) expect({ index, answer: fallback[index] }).toEqual({ index, answer: native[index] });
    }
  });
});
