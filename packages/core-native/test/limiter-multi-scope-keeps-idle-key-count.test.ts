import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock, tryAcquireAll } from '../src/limiter/index.js';
import { shardOfName } from '../src/limiter/fallback/shard.js';
import { loadNativeBinding } from '../src/native/binding.js';

const backends = loadNativeBinding() instanceof Error ? (['fallback'] as const) : (['native', 'fallback'] as const);

/** Two distinct key names that fall in the same shard. */
function sameShardNames(): [string, string] {
  const first = 'user:0';
  for (let index = 1; index < 1000; index += 1) {
    const other = `user:${index}`;
    if (shardOfName(other) === shardOfName(first)) return [first, other];
  }
  throw new Error('no pair found');
}

describe.each(backends)('an acquire over two keys of one limiter in one shard (%s)', (backend) => {
  it('keeps what it took from a key that was idle since it was resolved', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ backend, clock, requestsPerMinute: 1 });
    const [a, b] = sameShardNames();
    const keyA = limiter.key(a);
    const keyB = limiter.key(b);
    // Both keys sit untouched longer than anything the window remembers.
    await clock.advance(10 * 60_000);
    const both = tryAcquireAll([
      { limiter, key: keyA },
      { limiter, key: keyB },
    ]);
    expect(both.allowed).toBe(true);
    // One request per minute: the key just charged must refuse a second request now.
    expect(limiter.tryAcquire(keyB).allowed).toBe(false);
    expect(limiter.tryAcquire(b).allowed).toBe(false);
    limiter.close();
  });

  it('keeps the in-flight slot it took from a key that was idle since it was resolved', async () => {
    const clock = createManualClock(0);
    const limiter = createLimiter({ backend, clock, maxInFlight: 1 });
    const [a, b] = sameShardNames();
    const keyA = limiter.key(a);
    const keyB = limiter.key(b);
    await clock.advance(5_000);
    const both = tryAcquireAll([
      { limiter, key: keyA },
      { limiter, key: keyB },
    ]);
    expect(both.allowed).toBe(true);
    expect(limiter.tryAcquire(b).allowed).toBe(false);
    expect(limiter.stats().leases).toBe(2);
    limiter.close();
  });
});
