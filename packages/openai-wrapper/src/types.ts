import type { EncodingName } from './core.js';

/** Why a record has no `costUsd`. */
export type CostUnavailableReason = 'unknown-model' | 'no-prices' | 'no-usage' | 'invalid-usage';

/** Where the token numbers of a record come from. */
export type UsageSource =
  /** The provider's `usage` object. */
  | 'provider'
  /** Counted locally (prompt) and from the streamed text (completion): the provider sent none. */
  | 'estimated'
  /** No numbers: the call failed before any output. */
  | 'none';

/** A safe summary of an error; never the message (it may quote the request) nor any header. */
export interface UsageErrorInfo {
  /** Class name, e.g. `RateLimitError`, `APIConnectionError`, `APIUserAbortError`. */
  readonly name: string;
  /** HTTP status for an API error. */
  readonly status?: number;
  /** Provider error code, e.g. `rate_limit_exceeded`. */
  readonly code?: string;
}

/** One record per call of `chat.completions.create`, emitted once the call is over. */
export interface UsageRecord {
  /** `chat.completions` for now. */
  readonly operation: 'chat.completions';
  /** The model the request named. */
  readonly model: string;
  /** The model the response named (a snapshot, e.g. `gpt-4o-2024-08-06`), when one arrived. */
  readonly responseModel: string | undefined;
  /** The provider's `x-request-id`, when a response arrived. */
  readonly requestId: string | undefined;
  readonly streamed: boolean;
  /** `ok`: finished; `error`: the SDK threw; `aborted`: the caller stopped reading or aborted. */
  readonly status: 'ok' | 'error' | 'aborted';
  /** Prompt tokens counted locally before the call; `undefined` when counting failed. */
  readonly promptTokensCounted: number | undefined;
  /** True when the local count used a rule OpenAI has not published; see `countEstimateReasons`. */
  readonly promptTokensCountedEstimated: boolean;
  readonly countEstimateReasons: readonly string[];
  /** Prompt tokens of the usage (provider's, or the local count when `usageSource` is `estimated`). */
  readonly promptTokens: number | undefined;
  readonly completionTokens: number | undefined;
  readonly totalTokens: number | undefined;
  readonly usageSource: UsageSource;
  /** The provider's usage object as it came (token counts only, no text), when one came. */
  readonly providerUsage: Readonly<Record<string, unknown>> | undefined;
  /** Cost in USD from the usage and the model registry; `undefined` with a reason otherwise. */
  readonly costUsd: number | undefined;
  readonly costUnavailableReason: CostUnavailableReason | undefined;
  /** From the call to the end of the response or stream, in milliseconds. */
  readonly durationMs: number;
  readonly error: UsageErrorInfo | undefined;
}

/** Totals for one model (the model the request named). */
export interface ModelUsageStats {
  requests: number;
  /** Sum of local prompt counts (calls whose count failed add nothing). */
  promptTokensCounted: number;
  /** Sum of the provider's prompt tokens. */
  promptTokensReported: number;
  /** Sum of completion tokens, provider's or estimated. */
  completionTokens: number;
  /** Sum of known costs in USD. */
  costUsd: number;
  /** Calls that had no cost (unknown model, no prices, no usage). */
  costUnavailable: number;
  errors: number;
  aborted: number;
  streamed: number;
  /** Calls whose usage was estimated because the provider sent none. */
  estimatedUsage: number;
}

/** A snapshot of the tracked usage, per model and in total. */
export interface UsageStats {
  readonly byModel: Readonly<Record<string, ModelUsageStats>>;
  readonly total: ModelUsageStats;
}

/** Options of `wrapOpenAI`. */
export interface WrapOpenAIOptions {
  /**
   * Called once per call with its record, after the response (or the stream) is over. A handler
   * that throws never breaks the call; its error is published on `tollgate:openai:handler-error`.
   */
  onUsage?: (record: UsageRecord) => void;
  /**
   * Encoding used to count prompts of models tollgate does not know; such counts are marked
   * estimated. @default 'o200k_base'
   */
  defaultEncoding?: EncodingName;
}
