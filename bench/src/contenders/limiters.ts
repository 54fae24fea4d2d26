// Rate-limit contenders behind one shape: `step(i)` admits one request for key i (mod the key
// count) under a limit high enough never to refuse; `close()` frees what it holds.
import Bottleneck from 'bottleneck';
import { RateLimiterMemory } from 'rate-limiter-flexible';

import { createLimiter } from '@tollgate/core-native';
import { NEVER_REFUSED } from '../workload.js';
import type { LimiterContender } from '../workers/jobs.js';

/** A contender ready to run. `step` is sync for ours, async for the peers (their API is). */
export interface LimiterRunner {
  readonly step: (i: number) => unknown;
  /** `ops` checks from check `from` on, the fastest way the contender offers (sync contenders). */
  readonly steps: (from: number, ops: number) => void;
  /** One check on each of `keys` in one `tryAcquireMany` (ours). */
  readonly many: (keys: readonly string[]) => void;
  readonly async: boolean;
  /** Fails when a check was refused (the limit is set so none should be). */
  close(): void;
}

const noop = () => undefined;
const notSync = () => {
  throw new Error('an async contender has no sync steps');
};

/** Builds `contender` over `keys`; `name` shares a native limiter across threads (empty: private). */
export function limiterRunner(contender: LimiterContender, keys: readonly string[], name = ''): LimiterRunner {
  const count = keys.length;
  if (contender === 'native' || contender === 'native-batched' || contender === 'fallback') {
    const backend = contender === 'fallback' ? 'fallback' : 'native';
    const limiter = createLimiter({ backend, requestsPerMinute: NEVER_REFUSED, ...(name ? { name } : {}) });
    let refused = 0;
    const step = (i: number) => {
      if (!limiter.tryAcquire(keys[i % count]!).allowed) refused++;
    };
    const many = (some: readonly string[]) => void (refused += some.length - limiter.tryAcquireMany(some).admitted);
    // Batched: whole rounds over the keys in one call each (from a round's start), the rest one by one.
    const steps = (from: number, ops: number) => {
      let done = 0;
      if (contender === 'native-batched') for (; from % count === 0 && ops - done >= count; done += count, from += count) many(keys);
      for (; done < ops; done++) step(from++);
    };
    return {
      async: false,
      step,
      steps,
      many,
      close() {
        limiter.close();
        if (refused > 0) throw new Error(`${contender}: ${refused} checks were refused`);
      },
    };
  }
  if (contender === 'rate-limiter-flexible') {
    const limiter = new RateLimiterMemory({ points: NEVER_REFUSED, duration: 60 });
    // The promise itself, awaited by the caller once, as an app awaits `consume` (no extra async layer).
    return { async: true, step: (i) => limiter.consume(keys[i % count]!, 1), steps: notSync, many: notSync, close: noop };
  }
  // Bottleneck limits jobs, not keys: a Group holds one limiter per key; a check is scheduling an
  // empty job under that key's reservoir (refilled every minute, like a requests-per-minute limit).
  const group = new Bottleneck.Group({ reservoir: NEVER_REFUSED, reservoirRefreshAmount: NEVER_REFUSED, reservoirRefreshInterval: 60_000 });
  return {
    async: true,
    step: (i) => group.key(keys[i % count]!).schedule(() => Promise.resolve()).then(noop),
    steps: notSync,
    many: notSync,
    close: () => void group.disconnect?.(),
  };
}

/** Display names of the limiter contenders. */
export const LIMITER_LABELS: Record<LimiterContender, string> = {
  native: 'tollgate native',
  'native-batched': 'tollgate native, the same checks in one tryAcquireMany',
  fallback: 'tollgate TS fallback',
  'rate-limiter-flexible': 'rate-limiter-flexible',
  bottleneck: 'bottleneck',
};
