/** Where a record's token numbers come from. */
export type RunUsageSource =
  /** `llmOutput.tokenUsage` of the result. */
  | 'llm-output'
  /** `usage_metadata` of the generated message. */
  | 'usage-metadata'
  /** Counted locally: the prompt with the chat rules, the completion from the generated text. */
  | 'estimated'
  /** No numbers: the run ended before any output and the prompt could not be counted. */
  | 'none';

/** How a run ended. `refused`: the limiter did not admit it (timeout, abort while waiting). */
export type RunStatus = 'ok' | 'error' | 'aborted' | 'refused';

/** A safe summary of an error: never its message (it may quote the prompt) nor headers. */
export interface RunErrorInfo {
  readonly name: string;
  readonly status?: number;
  readonly code?: string;
}

/** The one terminal record of an LLM or chat model run. */
export interface RunRecord {
  readonly runId: string;
  readonly parentRunId: string | undefined;
  /** The model the run asked for (`invocation_params.model`, else `ls_model_name`); `unknown` when neither. */
  readonly model: string;
  readonly tags: readonly string[];
  readonly status: RunStatus;
  /** True when at least one token was streamed. */
  readonly streamed: boolean;
  readonly promptTokens: number | undefined;
  readonly completionTokens: number | undefined;
  readonly totalTokens: number | undefined;
  readonly usageSource: RunUsageSource;
  /** True when any number is a local estimate (see `estimateReasons`). */
  readonly estimated: boolean;
  readonly estimateReasons: readonly string[];
  /** Cost in USD from the usage and the model registry; `undefined` when unknown. */
  readonly costUsd: number | undefined;
  readonly costUnavailableReason: 'unknown-model' | 'no-prices' | 'no-usage' | undefined;
  /** From the call being let go (after the limiter, if any) to the terminal callback, in ms. */
  readonly latencyMs: number;
  /** From the call being let go to the first streamed token, in ms; `undefined` when nothing streamed. */
  readonly timeToFirstTokenMs: number | undefined;
  /** Streamed token callbacks received. */
  readonly streamedChunks: number;
  /** Tokens of the streamed text, counted locally once the run ended. */
  readonly streamedTokens: number;
  /** Time spent waiting for the limiter before the call, in ms (0 without limits). */
  readonly limitWaitMs: number;
  readonly error: RunErrorInfo | undefined;
}

/** Totals over the records of one model or one tag. */
export interface RunTotals {
  runs: number;
  ok: number;
  errors: number;
  aborted: number;
  refused: number;
  streamed: number;
  /** Runs whose usage was estimated locally. */
  estimatedRuns: number;
  promptTokens: number;
  completionTokens: number;
  /** Sum of known costs, USD. */
  costUsd: number;
  /** Runs without a cost. */
  costUnavailable: number;
  /** Sum of latencies, ms (divide by `runs` for the mean). */
  latencyMs: number;
}

/** What `snapshot()` returns: copies, safe to keep. */
export interface UsageSnapshot {
  readonly total: RunTotals;
  readonly byModel: Readonly<Record<string, RunTotals>>;
  readonly byTag: Readonly<Record<string, RunTotals>>;
  /** Runs started and not yet ended. */
  readonly inFlight: number;
}
