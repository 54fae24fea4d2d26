import { TollgateError } from '../errors.js';

/** The error an aborted operation rejects with (`code` `ERR_ABORTED`, the signal's reason as `cause`). */
export function abortError(reason?: unknown): TollgateError {
  return new TollgateError('ERR_ABORTED', 'The operation was aborted.', { cause: reason });
}

/** A promise that rejects when `signal` aborts, after running `onAbort`; `dispose` removes the listener. */
export function whenAborted(signal: AbortSignal, onAbort: () => void): { promise: Promise<never>; dispose: () => void } {
  let listener: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort();
      reject(abortError(signal.reason));
    };
    signal.addEventListener('abort', listener, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', listener!) };
}
