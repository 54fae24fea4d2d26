import { describe, expect, it } from 'vitest';

import { acquireAll, createLimiter, createManualClock } from '../src/index.js';

// Regression: with only `maxInFlight`, nothing is remembered once a key is idle, so resolving the
// second key of one acquire evicted the first, and the call failed with ERR_LIMITER_CLOSED.
describe('a multi-key acquire on an in-flight-only limiter', () => {
  it('admits, holds both slots, and frees them on release', async () => {
    const clock = createManualClock();
    const limiter = createLimiter({ maxInFlight: 1, clock });
    const scopes = [{ limiter, key: 'model:a' }, { limiter, key: 'user:1' }];
    const lease = await acquireAll(scopes, { requests: 1 });
    expect(limiter.tryAcquire('user:1').allowed).toBe(false);
    expect(limiter.tryAcquire('model:a').allowed).toBe(false);
    lease.release();
    clock.advance(5_000);
    const again = await acquireAll(scopes, { requests: 1 });
    again.release();
  });
});
