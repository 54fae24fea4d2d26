// Framework-free shapes of the call path; nothing here imports `openai`.

/** Which endpoint a call used. */
export type CallOperation = 'chat.completions' | 'responses' | 'embeddings' | 'completions';

/** Where the token numbers of a record come from. */
export type UsageSource =
  /** The provider's `usage` object. */
  | 'provider'
  /** Counted locally (prompt) and from the output text (completion): the provider sent none. */
  | 'estimated'
  /** No numbers: the call failed before any output. */
  | 'none';

/** Why a record has no `costUsd`. */
export type CostUnavailableReason = 'unknown-model' | 'no-prices' | 'no-usage' | 'invalid-usage';

/** The local count of a prompt, made by the adapter before the call. */
export interface PromptCount {
  readonly tokens: number;
  /** True when the count used a rule the provider has not published. */
  readonly estimated: boolean;
  readonly estimateReasons: readonly string[];
}

/** Per-call settings the caller gives next to the request. */
export interface CallSettings {
  /** Limiter key of the caller (a user, a team), reserved with the model's key. */
  readonly key?: string;
  /** Higher waits less in the limiter queue. @default 0 */
  readonly priority?: number;
  /** Tags every deployment picked for this call must carry. */
  readonly tags?: readonly string[];
  /** Id of the one deployment to use (no other is tried). */
  readonly deployment?: string;
}

/** Everything the call path needs to know about one call before it is sent. */
export interface CallPlan extends CallSettings {
  readonly operation: CallOperation;
  /** The model the caller named (a model group when routing). */
  readonly model: string;
  readonly streamed: boolean;
  /** Local prompt count; `undefined` when the request could not be counted. */
  readonly prompt: PromptCount | undefined;
  /** The request's own output maximum (`max_tokens`, `max_completion_tokens`, ...), if any. */
  readonly maxOutputTokens: number | undefined;
  /** Output tokens reserved in the limiter: `maxOutputTokens`, else the path's default. */
  readonly reservedOutputTokens: number;
  readonly signal?: AbortSignal | undefined;
}

/** The deployment an attempt goes to; `id` is `undefined` for the client's own endpoint. */
export interface CallTarget {
  readonly id: string | undefined;
  /** The model group being tried (differs from `plan.model` after a fallback). */
  readonly model: string;
  /** Model id to send to the provider. */
  readonly providerModel: string;
  readonly baseURL: string | undefined;
  /** API key of the deployment; the adapter uses it to send, nothing else ever reads it. */
  readonly apiKey: string | undefined;
}

/** What one attempt's send function receives. */
export interface Attempt {
  /** 0 for the first attempt of the call, counting across fallback groups. */
  readonly number: number;
  readonly target: CallTarget;
  /** Call when the first output (a chunk) arrives: feeds time to first token. */
  markFirstToken(): void;
}

/** How a call ended, as the adapter saw it. */
export interface CallEnd {
  readonly status: 'ok' | 'error' | 'aborted';
  /** The provider's usage object (chat, responses or embeddings style), when one arrived. */
  readonly usage?: unknown;
  /** Output text seen (content, refusals, tool arguments), to estimate output tokens. */
  readonly outputText?: string;
  /** True when output started arriving (a response or a chunk). */
  readonly responded?: boolean;
  readonly error?: unknown;
  /** The model the response named, when one did. */
  readonly responseModel?: string;
  /** The provider's request id, when a response arrived. */
  readonly requestId?: string;
}

/** A safe summary of an error; never the message (it may quote the request) nor any header. */
export interface UsageErrorInfo {
  /** Class name, e.g. `RateLimitError`, `APIConnectionError`, `APIUserAbortError`. */
  readonly name: string;
  /** HTTP status for an API error. */
  readonly status?: number;
  /** Provider or tollgate error code, e.g. `rate_limit_exceeded`. */
  readonly code?: string;
}

/** One record per call, emitted once the call (the response or the whole stream) is over. */
export interface UsageRecord {
  readonly operation: CallOperation;
  /** The model the request named. */
  readonly model: string;
  /** The model group that answered (after a fallback it differs from `model`). */
  readonly servedModel: string;
  /** The deployment that answered (or failed last); `undefined` without routing. */
  readonly deployment: string | undefined;
  /** The model the response named (a snapshot, e.g. `gpt-4o-2024-08-06`), when one arrived. */
  readonly responseModel: string | undefined;
  /** The provider's `x-request-id`, when a response arrived. */
  readonly requestId: string | undefined;
  readonly streamed: boolean;
  /** `ok`: finished; `error`: the call failed; `aborted`: the caller stopped reading or aborted. */
  readonly status: 'ok' | 'error' | 'aborted';
  /** Attempts sent (retries and fallbacks included); 0 when the call never left. */
  readonly attempts: number;
  /** The caller's limiter key, when one was given. */
  readonly key: string | undefined;
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
  /** Cost in USD from the usage and the deployment's or the registry's prices. */
  readonly costUsd: number | undefined;
  readonly costUnavailableReason: CostUnavailableReason | undefined;
  /** From the call to the end of the response or stream, in milliseconds. */
  readonly durationMs: number;
  /** Time spent waiting in the rate limiter, in milliseconds. */
  readonly limiterWaitMs: number;
  /** From the call to the first streamed chunk, in milliseconds; `undefined` for no chunk. */
  readonly timeToFirstTokenMs: number | undefined;
  readonly error: UsageErrorInfo | undefined;
}

/** A reservation taken from a {@link CallLimiter}. Both methods must be safe to call once each. */
export interface CallLimiterLease {
  /** Replaces the reserved tokens by what the call really used. */
  settle(usage: { readonly tokens: number }): void;
  /** Frees the in-flight slot. */
  release(): void;
}

/**
 * The rate limiter as the call path sees it: one all-or-nothing acquire over several keys that
 * waits until the cost fits. The limiter of `@tollgate/core-native` plugs in through a thin
 * adapter (its `acquireAll` over one scope per key).
 */
export interface CallLimiter {
  acquire(
    keys: readonly string[],
    cost: { readonly requests: number; readonly tokens: number },
    options: { readonly signal?: AbortSignal | undefined; readonly priority?: number },
  ): Promise<CallLimiterLease>;
}
