import { TollgateError, type TollgateErrorCode } from '../errors.js';
import { abortError } from '../tokenizer/abort.js';
import { publish } from './events.js';
import type { ClassifiedFailure } from './failure.js';
import type { LeaseUsage, RoutedDeployment } from './lease.js';
import { SeededRandom } from './rng.js';
import type { PickOptions, Router } from './router.js';

/** Code of the error `runRouted` throws when no deployment could be tried at all. */
export const ERR_NO_DEPLOYMENT: TollgateErrorCode = 'ERR_NO_DEPLOYMENT';

/** What the call of one attempt receives besides the deployment. */
export interface AttemptContext {
  /** 0 for the first attempt of the whole run, counting across fallback groups. */
  readonly attempt: number;
  /** The model group being tried (differs from the requested model after a fallback). */
  readonly model: string;
  readonly signal: AbortSignal | undefined;
  /** Call on the first streamed chunk: feeds time to first token. */
  markFirstToken(): void;
  /** Report usage of a successful call (latency per token, tpm accounting). */
  reportUsage(usage: LeaseUsage): void;
}

/** Per-call settings of {@link runRouted}; router-wide retry settings come from its options. */
export interface RunOptions extends Omit<PickOptions, 'exclude'> {
  signal?: AbortSignal;
  /** Overrides the router's `retries` for this call. */
  retries?: number;
  /** Accepts or refuses a picked deployment (limiter headroom, health); refused ones are skipped. */
  accept?: (deployment: RoutedDeployment) => boolean;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const jitters = new WeakMap<Router, SeededRandom>();

/**
 * Runs `call` on a deployment of `model`, with retries and fallbacks:
 * - a failed attempt is classified (see `classifyFailure`); 429/5xx/timeouts/connection errors are
 *   retried on another deployment (failed ones are skipped while others remain), after a backoff
 *   of `backoffBaseMs * 2^n` (at most `backoffMaxMs`) times a jitter in [0.5, 1); when the only
 *   deployment left is one that asked for `Retry-After`, the wait is at least that long;
 * - when a group's attempts run out, the next group of `fallbacks[model]` is tried;
 * - a context-window error (or a prompt no deployment fits) moves to `contextWindowFallbacks`,
 *   a content-policy refusal to `contentPolicyFallbacks`; other 4xx errors are thrown at once.
 * Every lease is ended exactly once, whatever the call does.
 * @throws the last call's error when every attempt failed; {@link TollgateError}
 *   `ERR_NO_DEPLOYMENT` when no deployment could be tried; `ERR_ABORTED` on abort.
 */
export async function runRouted<T>(
  router: Router,
  model: string,
  call: (deployment: RoutedDeployment, context: AttemptContext) => Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  const settings = router.options;
  const retries = options.retries ?? settings.retries ?? 2;
  const sleep = settings.sleep ?? defaultSleep;
  let jitter = jitters.get(router);
  if (jitter === undefined) jitters.set(router, (jitter = new SeededRandom(router.jitterSeedValue)));
  const queue = [model, ...(settings.fallbacks?.[model] ?? [])];
  let attempt = 0;
  let lastError: unknown;
  let sawAttempt = false;

  for (let position = 0; position < queue.length; position += 1) {
    const group = queue[position]!;
    const failed = new Set<string>();
    const refused = new Set<string>();
    let switchTo: { list: readonly string[] | undefined; reason: string } | undefined;

    for (let tries = 0; tries <= retries; ) {
      if (options.signal?.aborted) throw abortError(options.signal.reason);
      let lease = router.acquire(group, { ...options, exclude: [...failed, ...refused] });
      if (lease === 'none_available' && failed.size > 0) lease = router.acquire(group, { ...options, exclude: refused });
      if (lease === 'context_window') {
        switchTo = { list: settings.contextWindowFallbacks?.[group], reason: 'context_window' };
        break;
      }
      if (lease === 'none_available') break;
      if (options.accept !== undefined && !options.accept(lease.deployment)) {
        refused.add(lease.deployment.id);
        lease.release();
        continue;
      }

      const current = lease;
      sawAttempt = true;
      publish('attempt', () => ({ router: router.name, model: group, deployment: current.deployment.id, attempt }));
      let usage: LeaseUsage = {};
      let failure: ClassifiedFailure;
      try {
        const result = await call(current.deployment, {
          attempt,
          model: group,
          signal: options.signal,
          markFirstToken: () => current.markFirstToken(),
          reportUsage: (reported) => void (usage = reported),
        });
        current.succeed(usage);
        return result;
      } catch (error) {
        failure = current.fail(error);
        lastError = error;
      } finally {
        current.release();
      }
      attempt += 1;
      tries += 1;

      if (failure.kind === 'aborted') throw lastError;
      if (failure.kind === 'context_window') {
        switchTo = { list: settings.contextWindowFallbacks?.[group], reason: 'context_window' };
        break;
      }
      if (failure.kind === 'content_policy') {
        switchTo = { list: settings.contentPolicyFallbacks?.[group], reason: 'content_policy' };
        break;
      }
      if (failure.kind === 'client') throw lastError;
      failed.add(current.deployment.id);
      if (tries > retries) break;

      let delayMs = Math.min(settings.backoffMaxMs ?? 10_000, (settings.backoffBaseMs ?? 100) * 2 ** (tries - 1));
      delayMs *= 0.5 + 0.5 * jitter.nextUnit();
      const others = router.pick(group, { ...options, exclude: [...failed, ...refused] });
      if (typeof others === 'string' && failure.retryAfterMs !== undefined) {
        const waitMs = failure.retryAfterMs;
        if (waitMs > (settings.maxRetryAfterWaitMs ?? 30_000)) break;
        delayMs = Math.max(delayMs, waitMs);
      }
      publish('retry', () => ({ router: router.name, model: group, attempt, delayMs }));
      await sleep(delayMs, options.signal);
    }

    if (switchTo !== undefined) {
      if (switchTo.list === undefined || switchTo.list.length === 0) {
        if (lastError !== undefined) throw lastError;
        throw new TollgateError(ERR_NO_DEPLOYMENT, `Expected a deployment of \`${group}\` whose context window fits the request, got none.`, {
          field: 'model',
          value: group,
        });
      }
      const reason = switchTo.reason;
      publish('fallback', () => ({ router: router.name, from: group, to: switchTo.list![0], reason }));
      queue.splice(position + 1, queue.length, ...switchTo.list);
      continue;
    }
    const next = queue[position + 1];
    if (next !== undefined) publish('fallback', () => ({ router: router.name, from: group, to: next, reason: 'exhausted' }));
  }

  publish('exhausted', () => ({ router: router.name, model, attempts: attempt }));
  if (sawAttempt) throw lastError;
  throw new TollgateError(ERR_NO_DEPLOYMENT, `Expected an available deployment of \`${model}\` or its fallbacks, got none (all cooling, busy or filtered).`, {
    field: 'model',
    value: model,
  });
}
