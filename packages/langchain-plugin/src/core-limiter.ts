import { acquireAll, invalidArgumentError, type Limiter } from './core.js';
import type { TollgateLimiter } from './limits.js';

/**
 * The limiter of `@tollgate/core-native` behind the plugin's {@link TollgateLimiter} interface: one
 * all-or-nothing `acquireAll` over one scope per key, so every key's limits hold together. The
 * same object fits `@tollgate/openai`'s `CallLimiter`, so one limiter can serve both adapters.
 *
 * @example
 * const limits = { limiter: fromCoreLimiter(createLimiter({ maxInFlight: 4, tokensPerMinute: 90_000 })) };
 * @throws TollgateError `ERR_INVALID_ARGUMENT` when `limiter` is not a core limiter.
 */
export function fromCoreLimiter(limiter: Limiter): TollgateLimiter {
  if (typeof limiter?.key !== 'function' || typeof limiter.acquire !== 'function') throw invalidArgumentError('limiter', 'a limiter made by createLimiter', limiter);
  return {
    acquire: (keys, cost, { signal }) => acquireAll(keys.map((key) => ({ limiter, key })), cost, signal === undefined ? {} : { signal }),
  };
}
