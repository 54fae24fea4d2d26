import { performance } from 'node:perf_hooks';
import { TollgateOpenAIError } from '../errors.js';
import { CallRecorder } from './call-recorder.js';
import { publish } from './events.js';
import { routeAttempts, type RouteProgress, type RouteSettings } from './route-attempts.js';
import type { DeploymentPrices } from './usage.js';
import type { Attempt, CallEnd, CallLimiter, CallLimiterLease, CallPlan, CallTarget, UsageRecord } from './types.js';
import type { EncodingName, RouterLease } from '../core.js';

/** Settings of a {@link CallPath}; every part but `onRecord` and `abortError` is optional. */
export interface CallPathOptions {
  /** Routing over deployments; models that are not a group of it go straight to the client. */
  readonly route?: RouteSettings;
  /** Rate limiter and the keys a call reserves (default: `model:<model>` and `key:<key>`). */
  readonly limiter?: CallLimiter;
  readonly limiterKeys?: (plan: CallPlan) => readonly string[];
  /** Context window of a model sent straight to the client; `undefined` skips the check. */
  readonly contextWindowOf?: (model: string) => number | undefined;
  /** Prices of a deployment (its options), for cost. @default the registry's prices */
  readonly pricesOf?: (deploymentId: string) => DeploymentPrices | undefined;
  /** Encoding used to count output text of unknown models. @default 'o200k_base' */
  readonly defaultEncoding?: EncodingName;
  /** Receives each call's one record; must not throw. */
  readonly onRecord: (record: UsageRecord, error: unknown) => void;
  /** Builds the error thrown when the caller's signal aborts (the adapter's own class). */
  readonly abortError: () => unknown;
}

/** A call whose attempt answered; it holds its leases until {@link ActiveCall.finish}. */
export interface ActiveCall<T> {
  readonly value: T;
  readonly target: CallTarget;
  /** Ends the call once: settles the limiter, ends the router lease, emits the record. */
  finish(end: CallEnd): void;
  /** Records the first streamed output (time to first token). */
  markFirstToken(): void;
}

/** A reservation that took at least this long (ms) is published as a limiter wait. */
export const LIMITER_WAIT_MS = 10;

const defaultKeys = (plan: CallPlan): string[] =>
  plan.key === undefined ? [`model:${plan.model}`] : [`model:${plan.model}`, `key:${plan.key}`];

/**
 * The call path, written once for every adapter: check the context window → reserve in the
 * limiter → pick a deployment → send (with retries, cooldowns and fallbacks) → settle usage,
 * cost and metrics, one record per call. Adapters count the prompt (their shapes), send (their
 * client) and report how the call ended; nothing here knows `openai` or LangChain.
 */
export class CallPath {
  readonly #options: CallPathOptions;

  constructor(options: CallPathOptions) {
    this.#options = options;
  }

  /** True when calls of `model` are routed over deployments. */
  routes(model: string): boolean {
    return this.#options.route?.members.has(model) ?? false;
  }

  /**
   * Runs the call up to its first answer: `send` is called once per attempt. On success the
   * leases stay held until `finish`; on failure the record is emitted here and the error thrown.
   *
   * @throws the last attempt's error as `send` threw it; {@link TollgateOpenAIError}
   *   `ERR_CONTEXT_WINDOW_EXCEEDED` before anything is sent when the prompt cannot fit,
   *   `ERR_NO_DEPLOYMENT` when no deployment could be tried; the limiter's error when the
   *   reservation fails; the adapter's abort error when `plan.signal` aborts.
   */
  async start<T>(plan: CallPlan, send: (attempt: Attempt) => Promise<T>): Promise<ActiveCall<T>> {
    const options = this.#options;
    const startedAt = performance.now();
    const recorder = new CallRecorder(plan, startedAt, options.defaultEncoding ?? 'o200k_base');
    const progress: RouteProgress = { attempts: 0, target: undefined };
    let limiterLease: CallLimiterLease | undefined;
    let firstTokenAt: number | undefined;
    const markFirstToken = (): void => {
      firstTokenAt ??= performance.now();
    };

    try {
      const routed = this.routes(plan.model);
      if (!routed) this.#checkContextWindow(plan);
      limiterLease = await this.#reserve(plan, recorder);

      let value: T;
      let target: CallTarget;
      let routerLease: RouterLease | undefined;
      if (routed) {
        ({ value, target, lease: routerLease } = await routeAttempts(
          options.route!,
          plan,
          (attempt) =>
            send({
              ...attempt,
              markFirstToken: () => {
                markFirstToken();
                attempt.markFirstToken();
              },
            }),
          progress,
        ));
      } else {
        target = { id: undefined, model: plan.model, providerModel: plan.model, baseURL: undefined, apiKey: undefined };
        progress.attempts = 1;
        progress.target = target;
        publish('attempt', () => ({ operation: plan.operation, model: plan.model, deployment: undefined, attempt: 0 }));
        value = await send({ number: 0, target, markFirstToken });
      }

      const lease = limiterLease;
      let finished = false;
      return {
        value,
        target,
        markFirstToken: () => {
          markFirstToken();
          routerLease?.markFirstToken();
        },
        finish: (end) => {
          if (finished) return;
          finished = true;
          const tokens = recorder.tokensOf(end);
          if (routerLease !== undefined) {
            if (end.status === 'ok') routerLease.succeed({ outputTokens: tokens.output, totalTokens: tokens.total });
            else if (end.status === 'error') routerLease.fail(end.error);
            else routerLease.release();
          }
          endLimiterLease(lease, tokens.total);
          const prices = target.id === undefined ? undefined : options.pricesOf?.(target.id);
          const record = recorder.build(end, progress, firstTokenAt, prices);
          options.onRecord(record, end.error);
        },
      };
    } catch (error) {
      endLimiterLease(limiterLease, 0);
      const aborted = plan.signal?.aborted === true || isAbort(error);
      const end: CallEnd = { status: aborted ? 'aborted' : 'error', error };
      options.onRecord(recorder.build(end, progress, firstTokenAt, undefined), error);
      throw error;
    }
  }

  #checkContextWindow(plan: CallPlan): void {
    const window = this.#options.contextWindowOf?.(plan.model);
    if (window === undefined || plan.prompt === undefined) return;
    const requestedTokens = plan.prompt.tokens + (plan.maxOutputTokens ?? 0);
    if (requestedTokens <= window) return;
    throw new TollgateOpenAIError(
      'ERR_CONTEXT_WINDOW_EXCEEDED',
      `Expected the prompt plus the requested output (${requestedTokens} tokens) to fit the context window of \`${plan.model}\` (${window}), got ${requestedTokens - window} tokens too many.`,
      { field: 'model', value: JSON.stringify(plan.model), requestedTokens, contextWindow: window },
    );
  }

  async #reserve(plan: CallPlan, recorder: CallRecorder): Promise<CallLimiterLease | undefined> {
    const limiter = this.#options.limiter;
    if (limiter === undefined) return undefined;
    const keys = (this.#options.limiterKeys ?? defaultKeys)(plan);
    if (keys.length === 0) return undefined;
    const tokens = (plan.prompt?.tokens ?? 0) + plan.reservedOutputTokens;
    const before = performance.now();
    let lease: CallLimiterLease;
    try {
      lease = await limiter.acquire(keys, { requests: 1, tokens }, { signal: plan.signal ?? undefined, priority: plan.priority ?? 0 });
    } catch (error) {
      recorder.limiterWaitMs = performance.now() - before;
      if (plan.signal?.aborted === true) throw this.#options.abortError();
      throw error;
    }
    const waitedMs = performance.now() - before;
    recorder.limiterWaitMs = waitedMs;
    if (waitedMs >= LIMITER_WAIT_MS) publish('limiterWait', () => ({ model: plan.model, key: plan.key, waitedMs }));
    return lease;
  }
}

function isAbort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const record = error as { name?: unknown; code?: unknown; constructor?: { name?: unknown } };
  return (
    record.constructor?.name === 'APIUserAbortError' ||
    record.name === 'AbortError' ||
    record.code === 'ERR_ABORTED'
  );
}

/** Settles the reserved tokens with the real ones (when known) and frees the slot; never throws. */
function endLimiterLease(lease: CallLimiterLease | undefined, tokens: number | undefined): void {
  if (lease === undefined) return;
  try {
    if (tokens !== undefined) lease.settle({ tokens });
  } catch {
    // A limiter that cannot settle keeps its estimate; the call must not fail for it.
  }
  try {
    lease.release();
  } catch {
    // Same: releasing twice or after expiry is the limiter's business.
  }
}
