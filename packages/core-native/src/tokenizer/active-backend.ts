import { TollgateError } from '../errors.js';
import { createFallbackBackend } from '../fallback/fallback-backend.js';
import { loadNativeBinding } from '../native/binding.js';
import { createNativeBackend } from '../native/native-backend.js';
import type { BackendName, TokenizerBackend } from './backend.js';

/** Environment variable that forces a backend: `native` or `fallback`. Unset: native if it loads. */
export const BACKEND_ENV = 'TOLLGATE_BACKEND';

let active: TokenizerBackend | undefined;
let nativeLoadError: Error | undefined;

function choose(): TokenizerBackend {
  const forced = process.env[BACKEND_ENV];
  if (forced !== undefined && forced !== '' && forced !== 'native' && forced !== 'fallback') {
    throw new TollgateError('ERR_INVALID_ARGUMENT', `Expected \`${BACKEND_ENV}\` to be "native" or "fallback", got ${JSON.stringify(forced)}.`, {
      field: BACKEND_ENV,
      value: forced,
    });
  }
  if (forced === 'fallback') return createFallbackBackend();

  const binding = loadNativeBinding();
  if (!(binding instanceof Error)) return createNativeBackend(binding);
  nativeLoadError = binding;
  if (forced === 'native') {
    throw new TollgateError('ERR_NATIVE_UNAVAILABLE', `${BACKEND_ENV}=native, but the native binary did not load: ${binding.message}`, {
      cause: binding,
    });
  }
  return createFallbackBackend();
}

/** The backend in use, chosen on first use. */
export function activeBackend(): TokenizerBackend {
  active ??= choose();
  return active;
}

/**
 * Which implementation counts tokens in this process: `'native'` (the Rust core) or
 * `'fallback'` (pure TS, identical results, slower).
 *
 * @throws {TollgateError} `ERR_NATIVE_UNAVAILABLE` when `TOLLGATE_BACKEND=native` and the binary
 *   cannot load; `ERR_INVALID_ARGUMENT` when `TOLLGATE_BACKEND` holds another value.
 */
export function getBackend(): BackendName {
  return activeBackend().name;
}

/** Why the native binary did not load, when the fallback is in use because of it. */
export function getNativeLoadError(): Error | undefined {
  activeBackend();
  return nativeLoadError;
}
