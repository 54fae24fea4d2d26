import { TollgateError } from '../errors.js';
import { BACKEND_ENV } from '../tokenizer/active-backend.js';
import { fallbackStore } from './fallback/fallback-store.js';
import { loadNativeStore } from './native-store.js';
import type { LimiterStore } from './store.js';

let native: LimiterStore | Error | undefined;

/**
 * The store for `backend`; without one, `TOLLGATE_BACKEND` decides, else native when it loads.
 *
 * @throws {TollgateError} `ERR_NATIVE_UNAVAILABLE` when native is asked for and cannot load.
 */
export function chooseStore(backend?: 'native' | 'fallback'): LimiterStore {
  const wanted = backend ?? process.env[BACKEND_ENV];
  if (wanted === 'fallback') return fallbackStore;
  native ??= loadNativeStore();
  if (!(native instanceof Error)) return native;
  if (wanted === 'native') {
    throw new TollgateError('ERR_NATIVE_UNAVAILABLE', `The native limiter did not load: ${native.message}`, { cause: native });
  }
  return fallbackStore;
}
