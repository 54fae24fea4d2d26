import type { ClassifiedFailure, Router, RouterLease, RoutedDeployment } from '../core.js';
import { TollgateOpenAIError } from '../errors.js';
import { publish } from './events.js';
import type { Attempt, CallPlan, CallTarget } from './types.js';

/** What routing needs besides the router: group members, windows, and how to wait and abort. */
export interface RouteSettings {
  readonly router: Router;
  /** Deployment ids per model group, in registration order. */
  readonly members: ReadonlyMap<string, readonly string[]>;
  /** Largest context window per model group, when every deployment of it declares one. */
  readonly contextWindows: ReadonlyMap<string, number>;
  /** Builds the error thrown when the caller's signal aborts (the adapter's own class). */
  readonly abortError: () => unknown;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
}

/** Progress of a routed call, readable when it throws. */
export interface RouteProgress {
  attempts: number;
  target: CallTarget | undefined;
}

/** A successful attempt whose router lease is still held; the call path ends it at settle. */
export interface Routed<T> {
  readonly value: T;
  readonly lease: RouterLease;
  readonly target: CallTarget;
}

type Switch = { list: readonly string[] | undefined; reason: 'context_window' | 'content_policy' };

function targetOf(deployment: RoutedDeployment, group: string): CallTarget {
  return {
    id: deployment.id,
    model: group,
    providerModel: deployment.providerModel,
    baseURL: deployment.baseURL,
    apiKey: deployment.apiKey,
  };
}

function contextWindowError(plan: CallPlan, group: string, window: number | undefined): TollgateOpenAIError {
  const requestedTokens = (plan.prompt?.tokens ?? 0) + (plan.maxOutputTokens ?? 0);
  return new TollgateOpenAIError(
    'ERR_CONTEXT_WINDOW_EXCEEDED',
    `Expected the prompt plus the requested output (${requestedTokens} tokens) to fit a context window of \`${group}\`${window === undefined ? '' : ` (at most ${window})`}, got none that fits.`,
    { field: 'model', value: JSON.stringify(group), requestedTokens, contextWindow: window },
  );
}

/**
 * Sends `plan` to deployments of its model group until one answers, with retries and fallbacks
 * as the router's options say (`retries`, `backoffBaseMs`, `backoffMaxMs`, `maxRetryAfterWaitMs`,
 * `fallbacks`, `contextWindowFallbacks`, `contentPolicyFallbacks`). Unlike `runRouted`, the lease
 * of the answering attempt stays open: a stream holds its deployment until it ends.
 *
 * @throws the last attempt's error (the adapter's own class) when every attempt failed;
 *   {@link TollgateOpenAIError} `ERR_CONTEXT_WINDOW_EXCEEDED` or `ERR_NO_DEPLOYMENT` when none
 *   could be tried; the abort error when the signal aborts.
 */
export async function routeAttempts<T>(
  settings: RouteSettings,
  plan: CallPlan,
  send: (attempt: Attempt) => Promise<T>,
  progress: RouteProgress,
): Promise<Routed<T>> {
  const { router } = settings;
  const options = router.options;
  const retries = options.retries ?? 2;
  const pinned = plan.deployment;
  const queue = [plan.model, ...(pinned === undefined ? (options.fallbacks?.[plan.model] ?? []) : [])];
  let lastError: unknown;
  let sawAttempt = false;

  for (let position = 0; position < queue.length; position += 1) {
    const group = queue[position]!;
    const others = pinned === undefined ? [] : (settings.members.get(group) ?? []).filter((id) => id !== pinned);
    const failed = new Set<string>();
    let switchTo: Switch | undefined;
    const pick = { promptTokens: plan.prompt?.tokens ?? 0, maxOutputTokens: plan.maxOutputTokens ?? 0, tags: plan.tags, stream: plan.streamed };

    for (let tries = 0; tries <= retries; ) {
      if (plan.signal?.aborted) throw settings.abortError();
      let lease = router.acquire(group, { ...pick, exclude: [...others, ...failed] });
      if (lease === 'none_available' && failed.size > 0) lease = router.acquire(group, { ...pick, exclude: others });
      if (lease === 'context_window') {
        switchTo = { list: pinned === undefined ? options.contextWindowFallbacks?.[group] : undefined, reason: 'context_window' };
        break;
      }
      if (lease === 'none_available') break;

      const current = lease;
      const target = targetOf(current.deployment, group);
      const number = progress.attempts;
      progress.attempts += 1;
      progress.target = target;
      sawAttempt = true;
      publish('attempt', () => ({ operation: plan.operation, model: group, deployment: target.id, attempt: number }));
      let failure: ClassifiedFailure;
      try {
        const value = await send({ number, target, markFirstToken: () => current.markFirstToken() });
        return { value, lease: current, target };
      } catch (error) {
        lastError = error;
        failure = current.fail(error);
      }
      tries += 1;

      if (failure.kind === 'aborted') throw lastError;
      if (failure.kind === 'client') throw lastError;
      if (failure.kind === 'context_window' || failure.kind === 'content_policy') {
        const fallbacks = failure.kind === 'context_window' ? options.contextWindowFallbacks : options.contentPolicyFallbacks;
        switchTo = { list: pinned === undefined ? fallbacks?.[group] : undefined, reason: failure.kind };
        break;
      }
      failed.add(current.deployment.id);
      if (tries > retries) break;

      let delayMs = Math.min(options.backoffMaxMs ?? 10_000, (options.backoffBaseMs ?? 100) * 2 ** (tries - 1));
      delayMs *= 0.5 + 0.5 * settings.random();
      const another = router.pick(group, { ...pick, exclude: [...others, ...failed] });
      if (typeof another === 'string' && failure.retryAfterMs !== undefined) {
        if (failure.retryAfterMs > (options.maxRetryAfterWaitMs ?? 30_000)) break;
        delayMs = Math.max(delayMs, failure.retryAfterMs);
      }
      publish('retry', () => ({ model: group, attempt: progress.attempts, delayMs, kind: failure.kind, status: failure.status }));
      await settings.sleep(delayMs, plan.signal ?? undefined).catch(() => {
        throw settings.abortError();
      });
    }

    if (switchTo !== undefined) {
      if (switchTo.list === undefined || switchTo.list.length === 0) {
        if (lastError !== undefined) throw lastError;
        throw contextWindowError(plan, group, settings.contextWindows.get(group));
      }
      const { list, reason } = switchTo;
      publish('fallback', () => ({ from: group, to: list[0], reason }));
      queue.splice(position + 1, queue.length, ...list);
      continue;
    }
    const next = queue[position + 1];
    if (next !== undefined) publish('fallback', () => ({ from: group, to: next, reason: 'exhausted' }));
  }

  if (sawAttempt) throw lastError;
  throw new TollgateOpenAIError(
    'ERR_NO_DEPLOYMENT',
    `Expected an available deployment of \`${plan.model}\`${pinned === undefined ? ' or its fallbacks' : ` with id ${JSON.stringify(pinned)}`}, got none (all cooling, busy, over their rpm/tpm or filtered by tags).`,
    { field: 'model', value: JSON.stringify(plan.model) },
  );
}
