import { performance } from 'node:perf_hooks';
import {
  countChatTokens,
  countTokens,
  estimateCost,
  TollgateError,
  type ChatMessage,
  type ChatTokenCount,
  type EncodingName,
} from './core.js';
import type { CostUnavailableReason, UsageErrorInfo, UsageRecord, UsageSource } from './types.js';
import type { UsageTracker } from './usage-tracker.js';

/** How a call ended, as far as the wrapper saw it. */
export interface CallOutcome {
  readonly status: 'ok' | 'error' | 'aborted';
  /** The provider's usage object, when one arrived. */
  readonly usage?: unknown;
  /** Streamed output text (content, refusal, tool arguments), to estimate completion tokens. */
  readonly streamedText?: string;
  /** True when output started arriving (a response or a chunk). */
  readonly responded?: boolean;
  readonly error?: unknown;
}

interface ChatRequestShape {
  readonly model?: unknown;
  readonly messages?: unknown;
  readonly tools?: unknown;
  readonly tool_choice?: unknown;
}

const COUNT_FAILED_REASON = 'The prompt could not be counted locally.';

/** The state of one `chat.completions.create` call, from the local count to its single record. */
export class ChatCall {
  readonly model: string;
  readonly streamed: boolean;
  responseModel: string | undefined;
  requestId: string | undefined;
  readonly #tracker: UsageTracker;
  readonly #defaultEncoding: EncodingName;
  readonly #startedAt = performance.now();
  readonly #count: ChatTokenCount | undefined;
  #settled = false;

  constructor(
    tracker: UsageTracker,
    body: ChatRequestShape,
    streamed: boolean,
    defaultEncoding: EncodingName,
  ) {
    this.#tracker = tracker;
    this.#defaultEncoding = defaultEncoding;
    this.model = typeof body.model === 'string' ? body.model : String(body.model);
    this.streamed = streamed;
    this.#count = countPrompt(body, this.model, defaultEncoding);
  }

  /** True once the record was emitted; later outcomes are ignored. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Emits the call's one record; every later call of `settle` does nothing. Never throws. */
  settle(outcome: CallOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    try {
      this.#tracker.report(this.#buildRecord(outcome));
    } catch {
      // A record that cannot be built must not break the caller's call.
    }
  }

  #buildRecord(outcome: CallOutcome): UsageRecord {
    const usage = readUsage(outcome.usage);
    let source: UsageSource = 'none';
    let promptTokens: number | undefined;
    let completionTokens: number | undefined;
    if (usage !== undefined) {
      source = 'provider';
      ({ promptTokens, completionTokens } = usage);
    } else if (outcome.responded === true || outcome.streamedText !== undefined) {
      source = 'estimated';
      promptTokens = this.#count?.tokens;
      completionTokens = this.#countText(outcome.streamedText ?? '');
    }
    const totalTokens =
      usage?.totalTokens ??
      (promptTokens === undefined || completionTokens === undefined
        ? undefined
        : promptTokens + completionTokens);
    const cost =
      source === 'none'
        ? { reason: 'no-usage' as const }
        : this.#cost(
            usage?.raw ?? {
              prompt_tokens: promptTokens ?? 0,
              completion_tokens: completionTokens ?? 0,
            },
          );

    return Object.freeze({
      operation: 'chat.completions',
      model: this.model,
      responseModel: this.responseModel,
      requestId: this.requestId,
      streamed: this.streamed,
      status: outcome.status,
      promptTokensCounted: this.#count?.tokens,
      promptTokensCountedEstimated: this.#count === undefined || this.#count.estimated,
      countEstimateReasons:
        this.#count === undefined ? [COUNT_FAILED_REASON] : this.#count.estimateReasons,
      promptTokens,
      completionTokens,
      totalTokens,
      usageSource: source,
      providerUsage: usage === undefined ? undefined : { ...usage.raw },
      costUsd: cost.costUsd,
      costUnavailableReason: cost.reason,
      durationMs: performance.now() - this.#startedAt,
      error: outcome.error === undefined ? undefined : describeError(outcome.error),
    } satisfies UsageRecord);
  }

  #countText(text: string): number | undefined {
    if (text.length === 0) return 0;
    try {
      return countTokens(text, { model: this.model, defaultEncoding: this.#defaultEncoding });
    } catch {
      return undefined;
    }
  }

  #cost(usage: Record<string, unknown>): { costUsd?: number; reason?: CostUnavailableReason } {
    const models =
      this.responseModel !== undefined && this.responseModel !== this.model
        ? [this.responseModel, this.model]
        : [this.model];
    let reason: CostUnavailableReason = 'unknown-model';
    for (const model of models) {
      try {
        return { costUsd: estimateCost({ model, usage }).totalUsd };
      } catch (error) {
        const code = TollgateError.isInstance(error) ? error.code : undefined;
        if (code === 'ERR_UNKNOWN_MODEL') continue;
        reason =
          code === 'ERR_INVALID_USAGE'
            ? 'invalid-usage'
            : code === 'ERR_INVALID_MODEL_DATA'
              ? 'no-prices'
              : 'unknown-model';
        break;
      }
    }
    return { reason };
  }
}

/** Counts the prompt before the call; `undefined` when the request cannot be counted. */
function countPrompt(
  body: ChatRequestShape,
  model: string,
  defaultEncoding: EncodingName,
): ChatTokenCount | undefined {
  try {
    return countChatTokens(body.messages as readonly ChatMessage[], {
      model,
      tools: body.tools as never,
      toolChoice: body.tool_choice as never,
      defaultEncoding,
    });
  } catch {
    return undefined;
  }
}

interface ReadUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number | undefined;
  raw: Record<string, unknown>;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Reads OpenAI's chat `usage`; `undefined` when absent or without valid counts. */
function readUsage(usage: unknown): ReadUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const raw = usage as Record<string, unknown>;
  if (!isCount(raw.prompt_tokens) || !isCount(raw.completion_tokens)) return undefined;
  return {
    promptTokens: raw.prompt_tokens,
    completionTokens: raw.completion_tokens,
    totalTokens: isCount(raw.total_tokens) ? raw.total_tokens : undefined,
    raw,
  };
}

/** The safe parts of an error: class name, HTTP status, provider code. Never the message. */
export function describeError(error: unknown): UsageErrorInfo {
  if (typeof error !== 'object' || error === null) return { name: typeof error };
  const record = error as {
    name?: unknown;
    status?: unknown;
    code?: unknown;
    constructor?: { name?: unknown };
  };
  const constructorName =
    typeof record.constructor?.name === 'string' ? record.constructor.name : undefined;
  const name =
    constructorName !== undefined && constructorName !== 'Object'
      ? constructorName
      : typeof record.name === 'string'
        ? record.name
        : 'Error';
  return {
    name,
    ...(typeof record.status === 'number' ? { status: record.status } : {}),
    ...(typeof record.code === 'string' ? { code: record.code.slice(0, 80) } : {}),
  };
}
