import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';

const backends = loadNativeBinding() instanceof Error ? (['fallback'] as const) : (['native', 'fallback'] as const);

// `LimiterKey.handle` is a plain writable number (marked @internal, but reachable from JS). A key
// whose handle is not one the store handed out must never charge another key, and must fail or
// re-resolve the same way on both backends (no TypeError from the fallback).
describe.each(backends)('a LimiterKey whose handle is not a handle the store gave (%s)', (backend) => {
  it.each([-1, Number.NaN, 0.5, 2 ** 53])('handle %s charges only its own key, by name', (forged) => {
    const limiter = createLimiter({ backend, clock: createManualClock(0), requestsPerMinute: 1 });
    // Keys that take the first rows, so a forged handle read as 0 lands on one of them.
    const others = Array.from({ length: 64 }, (_, index) => limiter.key(`other-${index}`));
    const key = limiter.key('mine');
    key.handle = forged;
    expect(limiter.tryAcquire(key).allowed).toBe(true);
    for (const other of others) expect(limiter.tryAcquire(other, { requests: 0 }).remaining).toEqual({ requestsPerMinute: 1 });
    expect(limiter.tryAcquire('mine', { requests: 0 }).remaining).toEqual({ requestsPerMinute: 0 });
    limiter.close();
  });
});
