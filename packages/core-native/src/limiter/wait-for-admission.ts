// The waiting part of every `acquire` (local and Redis): join the fair queue, give up on timeout
// or abort with the typed errors, clean up timer and listener once, undo a late admission.
import { TollgateError } from '../errors.js';
import { abortError } from '../tokenizer/abort.js';
import type { LimiterClock } from './clock.js';
import type { AttemptResult, WaitQueue } from './wait-queue.js';

/** What {@link waitForAdmission} needs: the queue entry, how long to wait, and optional hooks. */
export interface AdmissionWait<T> {
  readonly queue: WaitQueue;
  readonly clock: LimiterClock;
  readonly priority: number;
  /** Keys the attempt needs; no waiter passes another on a shared key. */
  readonly scopes: readonly string[];
  attempt(): AttemptResult<T> | Promise<AttemptResult<T>>;
  /** Gives back what an admission took after the waiter had already given up. */
  undo(value: T): void;
  readonly signal: AbortSignal | undefined;
  /** Infinity: no timeout. */
  readonly timeoutMs: number;
  /** Called once admitted, before the promise resolves. */
  onAdmitted?(): void;
  /** Called when the first attempt did not admit at once and the call waits. */
  onQueued?(): void;
  /** Called when the call gives up, before it rejects. */
  onGiveUp?(reason: 'timeout' | 'abort'): void;
}

/**
 * Waits in the queue until `attempt` admits, then resolves with what it took.
 *
 * @throws {TollgateError} `ERR_LIMIT_TIMEOUT` after `timeoutMs`; `ERR_ABORTED` when `signal` aborts.
 */
export function waitForAdmission<T>(wait: AdmissionWait<T>): Promise<T> {
  const { queue, clock, signal, timeoutMs } = wait;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: unknown;
    const onAbort = (): void => giveUp('abort', abortError(signal!.reason));
    const cleanup = (): void => {
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const withdraw = queue.add<T>({
      priority: wait.priority,
      scopes: wait.scopes,
      attempt: () => wait.attempt(),
      resolve(value) {
        cleanup();
        wait.onAdmitted?.();
        resolve(value);
      },
      reject(error) {
        cleanup();
        reject(error);
      },
      undo: (value) => wait.undo(value),
    });
    function giveUp(reason: 'timeout' | 'abort', error: TollgateError): void {
      if (!withdraw()) return;
      cleanup();
      wait.onGiveUp?.(reason);
      reject(error);
    }
    // Admitted (or failed) during `add`: nothing to wait for.
    if (settled) return;
    wait.onQueued?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(timeoutMs)) {
      const message = `Expected the cost to fit within \`timeoutMs\` (${timeoutMs} ms), got no room in time.`;
      timer = clock.setTimeout(() => giveUp('timeout', new TollgateError('ERR_LIMIT_TIMEOUT', message, { field: 'timeoutMs', value: String(timeoutMs) })), timeoutMs);
    }
  });
}
