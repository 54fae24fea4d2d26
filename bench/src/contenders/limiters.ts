// Rate-limit contenders behind one shape: `step(i)` admits one request for key i (mod the key
// count) under a limit high enough never to refuse; `close()` frees what it holds.
import Bottleneck from 'bottleneck';
import { RateLimiterMemory } from 'rate-limiter-flexible';

import { createLimiter } from '@tollgate/core-native';
import { NEVER_REFUSED } from '../workload.js';
import type { LimiterContender } from '../workers/jobs.js';

/** A contender ready to run. `step` is sync for ours, async for the peers (their API is). */
export interface LimiterRunner {
  readonly step: (i: number) => void | Promise<void>;
  readonly async: boolean;
  /** Fails when a check was refused (the limit is set so none should be). */
  close(): void;
}

const noop = () => undefined;

/** Builds `contender` over `keys`; `name` shares a native limiter across threads (empty: private). */
export function limiterRunner(contender: LimiterContender, keys: readonly string[], name = ''): LimiterRunner {
  const count = keys.length;
  if (contender === 'native' || contender === 'fallback') {
    const limiter = createLimiter({ backend: contender, requestsPerMinute: NEVER_REFUSED, ...(name ? { name } : {}) });
    let refused = 0;
    return {
      async: false,
      step: (i) => {
        if (!limiter.tryAcquire(keys[i % count]!).allowed) refused++;
      },
      close() {
        limiter.close();
        if (refused > 0) throw new Error(`${contender}: ${refused} checks were refused`);
      },
    };
  }
  if (contender === 'rate-limiter-flexible') {
    const limiter = new RateLimiterMemory({ points: NEVER_REFUSED, duration: 60 });
    return { async: true, step: async (i) => void (await limiter.consume(keys[i % count]!, 1)), close: noop };
  }
  // Bottleneck limits jobs, not keys: a Group holds one limiter per key; a check is scheduling an
  // empty job under that key's reservoir (refilled every minute, like a requests-per-minute limit).
  const group = new Bottleneck.Group({ reservoir: NEVER_REFUSED, reservoirRefreshAmount: NEVER_REFUSED, reservoirRefreshInterval: 60_000 });
  return {
    async: true,
    step: (i) => group.key(keys[i % count]!).schedule(() => Promise.resolve()).then(noop),
    close: () => void group.disconnect?.(),
  };
}

/** Display names of the limiter contenders. */
export const LIMITER_LABELS: Record<LimiterContender, string> = {
  native: 'tollgate native',
  fallback: 'tollgate TS fallback',
  'rate-limiter-flexible': 'rate-limiter-flexible',
  bottleneck: 'bottleneck',
};
