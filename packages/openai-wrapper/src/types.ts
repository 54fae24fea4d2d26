import type { CallLimiter, CallPlan, UsageRecord } from './call-path/index.js';
import type { EncodingName, RouterOptions, RoutingStrategy } from './core.js';
import type { ConnectionPools, ConnectionPoolsOptions } from './pool/index.js';

export type {
  CostUnavailableReason,
  UsageErrorInfo,
  UsageRecord,
  UsageSource,
} from './call-path/index.js';

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
  /** Attempts sent, retries and fallbacks included. */
  attempts: number;
  /** Time spent waiting in the rate limiter, in ms. */
  limiterWaitMs: number;
  /** Calls that waited 10 ms or more in the rate limiter. */
  limiterWaits: number;
}

/** A snapshot of the tracked usage, per model and in total. */
export interface UsageStats {
  readonly byModel: Readonly<Record<string, ModelUsageStats>>;
  /** Per deployment id; calls sent straight to the client are under `(client)`. */
  readonly byDeployment: Readonly<Record<string, ModelUsageStats>>;
  readonly total: ModelUsageStats;
}

/** One deployment of a model group: where to send, with which key, and its limits and prices. */
export interface DeploymentOptions {
  /** Unique id, named in records, events and metrics. @default `<model group>#<index>` */
  id?: string;
  /** Base URL of an OpenAI-compatible endpoint, e.g. `https://eu.example.com/v1`. */
  baseURL: string;
  /** API key of this endpoint. @default the wrapped client's key */
  apiKey?: string;
  /** Model id sent to this endpoint. @default the model group's name */
  model?: string;
  /** Share of `simple_shuffle` traffic. @default none (then rpm, then tpm, then uniform) */
  weight?: number;
  /** Requests per minute this deployment accepts; the router keeps under it. @default no limit */
  rpm?: number;
  /** Tokens (prompt + requested output) per minute this deployment accepts. @default no limit */
  tpm?: number;
  /** Most calls in flight at once. @default no limit */
  maxInFlight?: number;
  /** USD per input token; used for cost and `cost_based`. @default the registry's price */
  inputCostPerToken?: number;
  /** USD per output token. @default the registry's price */
  outputCostPerToken?: number;
  /** Context window in tokens. @default the registry's window of `model`, else unchecked */
  contextWindow?: number;
  /** Tags a call can require with `callOptions({ tags })`. */
  tags?: string[];
}

/** How calls are spread over deployments, retried and moved to other groups. */
export interface RoutingOptions
  extends Pick<
    RouterOptions,
    | 'cooldownMs'
    | 'allowedFails'
    | 'failureWindowMs'
    | 'latencyWindow'
    | 'nearBestBuffer'
    | 'powerOfTwoChoices'
    | 'seed'
    | 'clock'
    | 'engine'
    | 'retries'
    | 'backoffBaseMs'
    | 'backoffMaxMs'
    | 'maxRetryAfterWaitMs'
    | 'fallbacks'
    | 'contextWindowFallbacks'
    | 'contentPolicyFallbacks'
    | 'sleep'
  > {
  /** @default 'simple_shuffle' */
  strategy?: RoutingStrategy;
}

/** Rate limits applied to every call before it is sent. */
export interface LimitsOptions {
  /** The limiter; see {@link CallLimiter} for how `@tollgate/core-native`'s plugs in. */
  limiter: CallLimiter;
  /** Keys a call reserves. @default `['model:<model>']`, plus `'key:<key>'` for a per-call key */
  keys?: (plan: CallPlan) => readonly string[];
  /** Output tokens reserved when the request sets no maximum. @default 256 */
  defaultOutputTokens?: number;
}

/** Options of `wrapOpenAI`. Without `deployments`, calls go to the client's own endpoint. */
export interface WrapOpenAIOptions {
  /**
   * Called once per call with its record, after the response (or the stream) is over. A handler
   * that throws never breaks the call; its error is published on `tollgate:openai:handler-error`.
   */
  onUsage?: (record: UsageRecord) => void;
  /** Called once per failed call (after `onUsage`) with the error as the caller receives it. */
  onError?: (error: unknown, record: UsageRecord) => void;
  /**
   * Encoding used to count prompts of models tollgate does not know; such counts are marked
   * estimated. @default 'o200k_base'
   */
  defaultEncoding?: EncodingName;
  /** Deployments per model group name; calls naming a group are routed over its deployments. */
  deployments?: Readonly<Record<string, readonly DeploymentOptions[]>>;
  routing?: RoutingOptions;
  limits?: LimitsOptions;
  /** Connection pools for the deployments (built from options, or given and then not closed). */
  pools?: ConnectionPools | ConnectionPoolsOptions;
  /**
   * Refuse a call whose prompt plus requested output exceeds the model's known context window
   * with `ERR_CONTEXT_WINDOW_EXCEEDED`, before sending. @default true
   */
  checkContextWindow?: boolean;
}
