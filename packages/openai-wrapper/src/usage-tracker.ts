import { LIMITER_WAIT_MS } from './call-path/call-path.js';
import { CALL_CHANNELS, publish } from './call-path/events.js';
import type { ModelUsageStats, UsageRecord, UsageStats } from './types.js';

/** Channel that receives every {@link UsageRecord}, one message per call. */
export const USAGE_CHANNEL = CALL_CHANNELS.usage;
/** Channel that receives `{ hook, error }` when an `onUsage` or `onError` handler throws. */
export const HANDLER_ERROR_CHANNEL = CALL_CHANNELS.handlerError;


/** The key of calls sent straight to the client in `byDeployment`. */
const DIRECT = '(client)';

function emptyModelStats(): ModelUsageStats {
  return {
    requests: 0,
    promptTokensCounted: 0,
    promptTokensReported: 0,
    completionTokens: 0,
    costUsd: 0,
    costUnavailable: 0,
    errors: 0,
    aborted: 0,
    streamed: 0,
    estimatedUsage: 0,
    attempts: 0,
    limiterWaitMs: 0,
    limiterWaits: 0,
  };
}

function add(stats: ModelUsageStats, record: UsageRecord): void {
  stats.requests += 1;
  stats.promptTokensCounted += record.promptTokensCounted ?? 0;
  if (record.usageSource === 'provider') stats.promptTokensReported += record.promptTokens ?? 0;
  stats.completionTokens += record.completionTokens ?? 0;
  if (record.costUsd === undefined) stats.costUnavailable += 1;
  else stats.costUsd += record.costUsd;
  if (record.status === 'error') stats.errors += 1;
  if (record.status === 'aborted') stats.aborted += 1;
  if (record.streamed) stats.streamed += 1;
  if (record.usageSource === 'estimated') stats.estimatedUsage += 1;
  stats.attempts += record.attempts;
  stats.limiterWaitMs += record.limiterWaitMs;
  if (record.limiterWaitMs >= LIMITER_WAIT_MS) stats.limiterWaits += 1;
}

function entry(map: Map<string, ModelUsageStats>, key: string): ModelUsageStats {
  let stats = map.get(key);
  if (stats === undefined) map.set(key, (stats = emptyModelStats()));
  return stats;
}

/** Collects the records of one wrapped client: totals, the hooks and the usage channel. */
export class UsageTracker {
  readonly #byModel = new Map<string, ModelUsageStats>();
  readonly #byDeployment = new Map<string, ModelUsageStats>();
  #total = emptyModelStats();
  readonly #onUsage: ((record: UsageRecord) => void) | undefined;
  readonly #onError: ((error: unknown, record: UsageRecord) => void) | undefined;

  constructor(
    onUsage: ((record: UsageRecord) => void) | undefined,
    onError?: (error: unknown, record: UsageRecord) => void,
  ) {
    this.#onUsage = onUsage;
    this.#onError = onError;
  }

  /** Adds `record` to the totals, then hands it to the hooks and the usage channel. Never throws. */
  report(record: UsageRecord, error?: unknown): void {
    add(entry(this.#byModel, record.model), record);
    add(entry(this.#byDeployment, record.deployment ?? DIRECT), record);
    add(this.#total, record);

    if (this.#onUsage !== undefined) {
      try {
        this.#onUsage(record);
      } catch (caught) {
        publish('handlerError', () => ({ hook: 'onUsage', error: caught }));
      }
    }
    if (record.status === 'error' && this.#onError !== undefined) {
      try {
        this.#onError(error, record);
      } catch (caught) {
        publish('handlerError', () => ({ hook: 'onError', error: caught }));
      }
    }
    publish('usage', () => record);
  }

  /** A copy of the totals so far. */
  stats(): UsageStats {
    const copy = (map: Map<string, ModelUsageStats>) => Object.fromEntries([...map].map(([key, stats]) => [key, { ...stats }]));
    return { byModel: copy(this.#byModel), byDeployment: copy(this.#byDeployment), total: { ...this.#total } };
  }

  /** Zeroes the totals. */
  reset(): void {
    this.#byModel.clear();
    this.#byDeployment.clear();
    this.#total = emptyModelStats();
  }
}
