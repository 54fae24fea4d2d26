import { channel } from 'node:diagnostics_channel';
import type { ModelUsageStats, UsageRecord, UsageStats } from './types.js';

/** Channel that receives every {@link UsageRecord}, one message per call. */
export const USAGE_CHANNEL = 'tollgate:openai:usage';
/** Channel that receives `{ error }` when an `onUsage` handler throws. */
export const HANDLER_ERROR_CHANNEL = 'tollgate:openai:handler-error';

const usageChannel = channel(USAGE_CHANNEL);
const handlerErrorChannel = channel(HANDLER_ERROR_CHANNEL);

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
}

/** Collects the records of one wrapped client: totals, the `onUsage` callback and the channel. */
export class UsageTracker {
  readonly #byModel = new Map<string, ModelUsageStats>();
  #total = emptyModelStats();
  readonly #onUsage: ((record: UsageRecord) => void) | undefined;

  constructor(onUsage: ((record: UsageRecord) => void) | undefined) {
    this.#onUsage = onUsage;
  }

  /** Adds `record` to the totals, then hands it to `onUsage` and the usage channel. Never throws. */
  report(record: UsageRecord): void {
    let stats = this.#byModel.get(record.model);
    if (stats === undefined) {
      stats = emptyModelStats();
      this.#byModel.set(record.model, stats);
    }
    add(stats, record);
    add(this.#total, record);

    if (this.#onUsage !== undefined) {
      try {
        this.#onUsage(record);
      } catch (error) {
        if (handlerErrorChannel.hasSubscribers) handlerErrorChannel.publish({ error });
      }
    }
    if (usageChannel.hasSubscribers) usageChannel.publish(record);
  }

  /** A copy of the totals so far. */
  stats(): UsageStats {
    const byModel: Record<string, ModelUsageStats> = {};
    for (const [model, stats] of this.#byModel) byModel[model] = { ...stats };
    return { byModel, total: { ...this.#total } };
  }

  /** Zeroes the totals. */
  reset(): void {
    this.#byModel.clear();
    this.#total = emptyModelStats();
  }
}
