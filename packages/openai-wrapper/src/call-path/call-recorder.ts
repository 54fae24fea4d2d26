import { performance } from 'node:perf_hooks';
import { countTokens, type EncodingName } from '../core.js';
import type { RouteProgress } from './route-attempts.js';
import type { CallEnd, CallPlan, UsageRecord, UsageSource } from './types.js';
import { costOf, describeError, readUsage, type DeploymentPrices } from './usage.js';

const COUNT_FAILED_REASON = 'The prompt could not be counted locally.';

/** Token numbers of a finished call, as the limiter and router are settled with them. */
export interface SettledTokens {
  readonly source: UsageSource;
  readonly prompt: number | undefined;
  readonly output: number | undefined;
  readonly total: number | undefined;
}

/** Builds the one record of a call from its plan and how it ended. */
export class CallRecorder {
  limiterWaitMs = 0;
  readonly #plan: CallPlan;
  readonly #startedAt: number;
  readonly #defaultEncoding: EncodingName;
  #tokens: SettledTokens | undefined;

  constructor(plan: CallPlan, startedAt: number, defaultEncoding: EncodingName) {
    this.#plan = plan;
    this.#startedAt = startedAt;
    this.#defaultEncoding = defaultEncoding;
  }

  /** Usage of the call: the provider's, else the local count plus the counted output text. */
  tokensOf(end: CallEnd): SettledTokens {
    if (this.#tokens !== undefined) return this.#tokens;
    const usage = readUsage(end.usage);
    if (usage !== undefined) {
      this.#tokens = {
        source: 'provider',
        prompt: usage.promptTokens,
        output: usage.completionTokens,
        total: usage.totalTokens ?? usage.promptTokens + usage.completionTokens,
      };
    } else if (end.responded === true || end.outputText !== undefined) {
      const prompt = this.#plan.prompt?.tokens;
      const output = this.#countText(end.outputText ?? '');
      const total = prompt === undefined || output === undefined ? undefined : prompt + output;
      this.#tokens = { source: 'estimated', prompt, output, total };
    } else {
      this.#tokens = { source: 'none', prompt: undefined, output: undefined, total: undefined };
    }
    return this.#tokens;
  }

  /** The frozen record; never throws for odd usage (cost then says why it is missing). */
  build(
    end: CallEnd,
    progress: RouteProgress,
    firstTokenAt: number | undefined,
    prices: DeploymentPrices | undefined,
  ): UsageRecord {
    const plan = this.#plan;
    const tokens = this.tokensOf(end);
    const usage = readUsage(end.usage);
    const servedModel = progress.target?.model ?? plan.model;
    const models = [end.responseModel, progress.target?.providerModel, servedModel, plan.model].filter(
      (model, index, all): model is string => model !== undefined && all.indexOf(model) === index,
    );
    // Without the provider's usage and without a local count there is no prompt size to price.
    const cost =
      tokens.source === 'none' || (usage === undefined && tokens.prompt === undefined)
        ? { reason: 'no-usage' as const }
        : costOf(
            usage?.raw ?? { prompt_tokens: tokens.prompt ?? 0, completion_tokens: tokens.output ?? 0 },
            models,
            prices,
          );
    const count = plan.prompt;

    return Object.freeze({
      operation: plan.operation,
      model: plan.model,
      servedModel,
      deployment: progress.target?.id,
      responseModel: end.responseModel,
      requestId: end.requestId,
      streamed: plan.streamed,
      status: end.status,
      attempts: progress.attempts,
      key: plan.key,
      promptTokensCounted: count?.tokens,
      promptTokensCountedEstimated: count === undefined || count.estimated,
      countEstimateReasons: count === undefined ? [COUNT_FAILED_REASON] : count.estimateReasons,
      promptTokens: tokens.prompt,
      completionTokens: tokens.output,
      totalTokens: tokens.total,
      usageSource: tokens.source,
      providerUsage: usage === undefined ? undefined : { ...usage.raw },
      costUsd: cost.costUsd,
      costUnavailableReason: cost.reason,
      durationMs: performance.now() - this.#startedAt,
      limiterWaitMs: this.limiterWaitMs,
      timeToFirstTokenMs: firstTokenAt === undefined ? undefined : firstTokenAt - this.#startedAt,
      error: end.error === undefined ? undefined : describeError(end.error),
    } satisfies UsageRecord);
  }

  #countText(text: string): number | undefined {
    if (text.length === 0) return 0;
    try {
      return countTokens(text, { model: this.#plan.model, defaultEncoding: this.#defaultEncoding });
    } catch {
      return undefined;
    }
  }
}
