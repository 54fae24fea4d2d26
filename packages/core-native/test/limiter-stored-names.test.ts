import { describe, expect, it } from 'vitest';
import { createLimiter, tryAcquireAll } from '../src/limiter/index.js';
import { storedName } from '../src/limiter/stored-name.js';

describe('key names as the stores keep them', () => {
  const names = ['a', '\0a', '\u00000061', '\0', '\ud800', '\udc00', '\ufffd', 'x\ud800y', '🎯', '\ud83c\udfaf'];

  it('are one-to-one: no two names share a stored name, and well-formed names stay as they are', () => {
    const stored = names.map(storedName);
    expect(new Set(stored).size).toBe(new Set(names).size);
    expect(storedName('a')).toBe('a');
    expect(storedName('🎯')).toBe('🎯');
    expect(stored.every((name) => !/[\ud800-\udfff]/.test(name.replace(/\ud83c\udfaf/g, '')))).toBe(true);
  });

  it('give every such name its own counter on this backend', () => {
    const limiter = createLimiter({ requestsPerMinute: 1 });
    const distinct = [...new Set(names)];
    expect(distinct.map((name) => limiter.tryAcquire(name).allowed)).toEqual(distinct.map(() => true));
    expect(distinct.map((name) => limiter.tryAcquire(name).allowed)).toEqual(distinct.map(() => false));
    expect(limiter.stats().keys).toBe(distinct.length);
    const batch = createLimiter({ requestsPerMinute: 1 }).tryAcquireMany(distinct);
    expect(batch.admitted).toBe(distinct.length);
  });

  it('keep two lone halves apart as scopes of one acquire', () => {
    const limiter = createLimiter({ maxInFlight: 1 });
    const decision = tryAcquireAll([{ limiter, key: '\ud800' }, { limiter, key: '\udc00' }]);
    expect(decision.allowed).toBe(true);
    expect(decision.remainingByScope).toEqual([{ inFlight: 0 }, { inFlight: 0 }]);
  });
});
