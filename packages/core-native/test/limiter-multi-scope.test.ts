import { describe, expect, it } from 'vitest';
import { acquireAll, createLimiter, createManualClock, tryAcquireAll } from '../src/limiter/index.js';

describe('one acquire over several scopes', () => {
  it('a rejection by one limit keeps nothing from the others', () => {
    const clock = createManualClock(0);
    const user = createLimiter({ tokensPerMinute: 100, maxInFlight: 5, clock });
    const team = createLimiter({ tokensPerMinute: 1000, maxInFlight: 5, clock });
    const deployment = createLimiter({ requestsPerMinute: 1000, clock });
    const scopes = [
      { limiter: deployment, key: 'gpt' },
      { limiter: team, key: 'blue' },
      { limiter: user, key: 'ann' },
    ];
    expect(tryAcquireAll(scopes, { tokens: 80 }).allowed).toBe(true);
    const refused = tryAcquireAll(scopes, { tokens: 80 });
    expect(refused).toMatchObject({ allowed: false, limitedBy: { scope: 2, limit: 'tokensPerMinute' } });
    expect(refused.remainingByScope).toEqual([{ requestsPerMinute: 999 }, { tokensPerMinute: 920, inFlight: 4 }, { tokensPerMinute: 20, inFlight: 4 }]);
    expect(team.tryAcquire('blue', { tokens: 0 }).remaining).toEqual({ tokensPerMinute: 920, inFlight: 3 });
    expect(deployment.stats()).toMatchObject({ admitted: 1, refused: 1 });
  });

  it('releasing and settling a multi-scope lease applies to every scope', async () => {
    const clock = createManualClock(0);
    const user = createLimiter({ tokensPerMinute: 100, maxInFlight: 1, clock });
    const team = createLimiter({ tokensPerMinute: 100, maxInFlight: 1, clock });
    const scopes = [{ limiter: user, key: 'ann' }, { limiter: team, key: 'blue' }];
    const lease = await acquireAll(scopes, { tokens: 90 });
    expect(tryAcquireAll([{ limiter: team, key: 'blue' }], { tokens: 0 }).allowed).toBe(false);
    lease.settle({ tokens: 10 });
    lease.release();
    expect(tryAcquireAll(scopes, { tokens: 90 }).remainingByScope).toEqual([{ tokensPerMinute: 0, inFlight: 0 }, { tokensPerMinute: 0, inFlight: 0 }]);
  });

  it('rejects a key named twice and limiters with different clocks', () => {
    const limiter = createLimiter({ requestsPerMinute: 5, clock: createManualClock() });
    const other = createLimiter({ requestsPerMinute: 5, clock: createManualClock() });
    expect(() => tryAcquireAll([{ limiter, key: 'a' }, { limiter, key: 'a' }])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'scopes[1].key' }));
    expect(() => tryAcquireAll([{ limiter, key: 'a' }, { limiter: other, key: 'a' }])).toThrow(expect.objectContaining({ field: 'scopes[1].limiter' }));
  });
});
