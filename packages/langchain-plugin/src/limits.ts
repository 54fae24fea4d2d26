import { invalidArgumentError, TollgateError } from './core.js';

/** An admission taken by a {@link TollgateLimiter}, corrected once the real usage is known. */
export interface TollgateLimiterLease {
  /** Replaces the reserved tokens by the real amount. */
  settle(usage: { readonly tokens: number }): unknown;
  /** Frees the in-flight slot; called exactly once per lease by this package. */
  release(): unknown;
}

/**
 * The limiter interface the plugin needs: wait until every key admits `cost`, then hold it. The
 * core's limiter fits through `fromCoreLimiter`; any other can be plugged in.
 */
export interface TollgateLimiter {
  /**
   * Resolves with a lease once all `keys` admit the cost; rejects when `signal` aborts or the
   * limiter gives up (its own timeout, a cost above capacity).
   */
  acquire(keys: readonly string[], cost: { readonly requests: number; readonly tokens: number }, options: { readonly signal?: AbortSignal }): Promise<TollgateLimiterLease>;
}

/** What the `keys` function sees of a run. */
export interface RunLimitContext {
  readonly model: string;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Prompt tokens counted locally (0 when counting failed). */
  readonly promptTokens: number;
  /** Output tokens reserved for the run. */
  readonly maxOutputTokens: number;
}

/** Limits checked before every LLM call the handler sees. */
export interface LimitOptions {
  readonly limiter: TollgateLimiter;
  /** Limiter keys of a run. @default `[`model:${model}`]` */
  readonly keys?: (run: RunLimitContext) => readonly string[];
  /**
   * Output tokens reserved when the request sets no `max_tokens` / `max_completion_tokens`; the
   * reservation is settled to the real usage when the run ends. @default 256
   */
  readonly maxOutputTokens?: number;
  /** Gives up waiting after this many ms (the run is then `refused`). @default waits as long as the limiter does */
  readonly timeoutMs?: number;
}

/** Checked limit options. @internal */
export interface ResolvedLimits {
  readonly limiter: TollgateLimiter;
  readonly keys: (run: RunLimitContext) => readonly string[];
  readonly maxOutputTokens: number;
  readonly timeoutMs: number | undefined;
}

/**
 * Checks limit options when the handler is built.
 * @throws TollgateError `ERR_INVALID_ARGUMENT` naming the field.
 */
export function resolveLimits(options: LimitOptions): ResolvedLimits {
  if (typeof options?.limiter?.acquire !== 'function') throw invalidArgumentError('limits.limiter', 'an object with an `acquire` method', options?.limiter);
  const { keys, maxOutputTokens = 256, timeoutMs } = options;
  if (keys !== undefined && typeof keys !== 'function') throw invalidArgumentError('limits.keys', 'a function returning limiter keys', keys);
  if (!Number.isSafeInteger(maxOutputTokens) || maxOutputTokens < 0) throw invalidArgumentError('limits.maxOutputTokens', 'a non-negative integer', maxOutputTokens);
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw invalidArgumentError('limits.timeoutMs', 'a positive number of ms', timeoutMs);
  return { limiter: options.limiter, keys: keys ?? ((run) => [`model:${run.model}`]), maxOutputTokens, timeoutMs };
}

/** Output tokens a request may produce: its own cap, else the configured reservation. */
export function maxOutputOf(invocationParams: Record<string, unknown> | undefined, fallback: number): number {
  for (const field of ['max_completion_tokens', 'max_tokens', 'maxTokens']) {
    const value = invocationParams?.[field];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  }
  return fallback;
}

/**
 * Waits for the limiter, with the run's signal and the optional timeout.
 * @throws TollgateError `ERR_LIMIT_TIMEOUT` when `timeoutMs` ends the wait; otherwise whatever
 *   the limiter throws (`ERR_ABORTED` when the run's signal aborts, ...).
 */
export async function acquireForRun(limits: ResolvedLimits, run: RunLimitContext, signal: AbortSignal | undefined): Promise<TollgateLimiterLease> {
  const keys = limits.keys(run);
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string' || key === '')) {
    throw invalidArgumentError('limits.keys()', 'a non-empty array of non-empty strings', keys);
  }
  const timeout = limits.timeoutMs === undefined ? undefined : AbortSignal.timeout(limits.timeoutMs);
  const signals = [signal, timeout].filter((item) => item !== undefined);
  const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  try {
    return await limits.limiter.acquire(keys, { requests: 1, tokens: run.promptTokens + run.maxOutputTokens }, combined === undefined ? {} : { signal: combined });
  } catch (error) {
    if (timeout?.aborted !== true || signal?.aborted === true) throw error;
    throw new TollgateError('ERR_LIMIT_TIMEOUT', `Expected the limiter to admit the call within \`limits.timeoutMs\` (${limits.timeoutMs} ms), got no admission.`, { field: 'limits.timeoutMs', cause: error });
  }
}
