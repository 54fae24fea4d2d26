// The thin adapter from core-native's limiter to the wrapper's `CallLimiter`. The limiter is not
// exported from '@tollgate/core-native' yet, so tests reach its source directly.
import { acquireAll, createLimiter, type Limiter, type LimiterOptions } from '@tollgate/core-native';
import type { CallLimiter } from '../../src/index.js';

/** One limiter per key prefix (`model:`, `key:`); keys with another prefix are not limited. */
export function limiterHook(byPrefix: Record<string, Limiter>): CallLimiter {
  return {
    acquire(keys, cost, options) {
      const scopes = keys.flatMap((key) => {
        const limiter = byPrefix[key.slice(0, key.indexOf(':') + 1)];
        return limiter === undefined ? [] : [{ limiter, key }];
      });
      if (scopes.length === 0) return Promise.resolve({ settle: () => undefined, release: () => undefined });
      return acquireAll(scopes, cost, { signal: options.signal, priority: options.priority });
    },
  };
}

export function fallbackLimiter(options: LimiterOptions): Limiter {
  return createLimiter({ backend: 'fallback', pollIntervalMs: 5, ...options });
}
