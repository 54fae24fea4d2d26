import { describe, expect, it } from 'vitest';
import { createLimiter, type LimiterOptions } from '../src/limiter/index.js';

const cases: [string, unknown, string][] = [
  ['a negative limit', { requestsPerMinute: -1 }, 'requestsPerMinute'],
  ['a NaN limit', { tokensPerDay: Number.NaN }, 'tokensPerDay'],
  ['a fractional limit', { limits: [{ type: 'window', measure: 'requests', limit: 1.5, per: 'minute' }] }, 'limits[0].limit'],
  ['an unknown unit', { limits: [{ type: 'window', measure: 'requests', limit: 5, per: 'fortnight' }] }, 'limits[0].per'],
  ['an unknown measure', { limits: [{ type: 'window', measure: 'bytes', limit: 5, per: 'minute' }] }, 'limits[0].measure'],
  ['an unknown rule type', { limits: [{ type: 'leaky', limit: 5 }] }, 'limits[0].type'],
  ['a zero bucket refill', { limits: [{ type: 'bucket', measure: 'tokens', capacity: 5, refillPerSecond: 0 }] }, 'limits[0].refillPerSecond'],
  ['no limit at all', {}, 'limits'],
  ['two rules with one label', { requestsPerMinute: 5, limits: [{ type: 'window', measure: 'requests', limit: 5, per: 'minute' }] }, 'limits'],
  ['a bad lease timeout', { maxInFlight: 1, leaseTimeoutMs: -5 }, 'leaseTimeoutMs'],
];

describe('limiter options are checked when the limiter is built', () => {
  it.each(cases)('%s gets a typed error naming the field', (_, options, field) => {
    expect(() => createLimiter(options as LimiterOptions)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field }));
  });

  it('messages say what was expected and what came', () => {
    expect(() => createLimiter({ requestsPerMinute: -1 })).toThrow('Expected `requestsPerMinute` to be an integer from 1 to 4294967295, got -1.');
  });

  it('empty keys and bad costs get typed errors naming the field', () => {
    const limiter = createLimiter({ requestsPerMinute: 5 });
    expect(() => limiter.tryAcquire('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'scopes[0].key' }));
    expect(() => limiter.key('')).toThrow(expect.objectContaining({ field: 'key' }));
    expect(() => limiter.tryAcquire('k', { tokens: -3 })).toThrow(expect.objectContaining({ field: 'cost.tokens' }));
    expect(() => limiter.tryAcquire('k', { requests: 0.5 })).toThrow(expect.objectContaining({ field: 'cost.requests' }));
  });

  it('a name taken by a limiter with other limits is a conflict; the same limits attach', () => {
    const name = `conflict-${process.pid}-${Date.now()}`;
    const first = createLimiter({ name, requestsPerMinute: 1 });
    const again = createLimiter({ name, requestsPerMinute: 1 });
    expect(first.tryAcquire('k').allowed).toBe(true);
    expect(again.tryAcquire('k').allowed).toBe(false);
    expect(() => createLimiter({ name, requestsPerMinute: 2 })).toThrow(expect.objectContaining({ code: 'ERR_LIMITER_CONFLICT' }));
    first.close();
    expect(() => first.tryAcquire('k')).toThrow(expect.objectContaining({ code: 'ERR_LIMITER_CLOSED' }));
  });
});
