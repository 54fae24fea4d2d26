import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock, tryAcquireAll } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';

const backends = loadNativeBinding() instanceof Error ? (['fallback'] as const) : (['native', 'fallback'] as const);

// Key names are arbitrary JS strings (user ids, e-mails, header values): strings that differ
// only in a lone surrogate are different keys and must be counted apart by both backends.
const HIGH = 'user:\uD800';
const LOW = 'user:\uDC00';
const REPLACEMENT = 'user:\uFFFD';

describe.each(backends)('keys holding lone surrogates (%s)', (backend) => {
  it('are counted apart from one another and from U+FFFD', () => {
    const limiter = createLimiter({ backend, clock: createManualClock(0), requestsPerMinute: 1 });
    expect(limiter.tryAcquire(HIGH).allowed).toBe(true);
    expect(limiter.tryAcquire(LOW).allowed).toBe(true);
    expect(limiter.tryAcquire(REPLACEMENT).allowed).toBe(true);
    expect(limiter.stats().keys).toBe(3);
    limiter.close();
  });

  it('count once per scope when two of them are scopes of one acquire', () => {
    const limiter = createLimiter({ backend, clock: createManualClock(0), maxInFlight: 2 });
    const decision = tryAcquireAll([
      { limiter, key: HIGH },
      { limiter, key: LOW },
    ]);
    expect(decision.allowed).toBe(true);
    // Each key holds one request in flight, never two: each still has room for one more.
    expect(decision.remainingByScope).toEqual([{ inFlight: 1 }, { inFlight: 1 }]);
    expect(limiter.tryAcquire(HIGH).allowed).toBe(true);
    expect(limiter.stats().keys).toBe(2);
    limiter.close();
  });
});
