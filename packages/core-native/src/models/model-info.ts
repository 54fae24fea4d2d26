import type { EncodingName } from '../tokenizer/encoding-name.js';

/**
 * Prices of one model, in USD per token (not per thousand or per million tokens).
 *
 * Fallbacks used by `estimateCost` when a price is missing: `cacheRead` and `cacheWrite` fall back
 * to `input`, `reasoning` falls back to `output`.
 */
export interface ModelPrices {
  /** Uncached input (prompt) tokens, USD per token. */
  readonly input: number;
  /** Output (completion) tokens, USD per token. */
  readonly output: number;
  /** Input tokens read from the provider's prompt cache, USD per token. Defaults to `input`. */
  readonly cacheRead?: number;
  /** Input tokens written to the provider's prompt cache, USD per token. Defaults to `input`. */
  readonly cacheWrite?: number;
  /** Reasoning tokens, USD per token. Defaults to `output`. */
  readonly reasoning?: number;
}

/** What the registry knows about one model. Frozen; shared between callers. */
export interface ModelInfo {
  /** Canonical registry name, e.g. `gpt-4o` for `openai/gpt-4o-2024-08-06`. */
  readonly name: string;
  /** Provider, e.g. `openai` or `anthropic`. */
  readonly provider: string;
  /** tiktoken encoding, or `null` for models whose tokenizer tollgate does not ship. */
  readonly encoding: EncodingName | null;
  /** Maximum input (prompt) tokens the model accepts, when known. */
  readonly contextWindow: number | undefined;
  /** Maximum output (completion) tokens of one response, when known. */
  readonly maxOutputTokens: number | undefined;
  /** Prices in USD per token, when known. */
  readonly prices: ModelPrices | undefined;
  /** Kind of endpoint: `chat`, `completion`, `embedding`, `responses`, ... when known. */
  readonly mode: string | undefined;
}

/**
 * One model to add to the registry with `registerModels`. Every field but `name` is optional;
 * a missing `encoding` is derived from the model family rules (`null` when none applies).
 */
export interface ModelEntry {
  /** Registry name, matched exactly (case-insensitive) before any alias rule. */
  readonly name: string;
  /** Provider; defaults to `openai` when an encoding applies, otherwise `unknown`. */
  readonly provider?: string;
  /** tiktoken encoding, or `null` when the model is only there for its prices. */
  readonly encoding?: EncodingName | null;
  /** Maximum input tokens (positive integer). */
  readonly contextWindow?: number;
  /** Maximum output tokens (non-negative integer; 0 for embedding models). */
  readonly maxOutputTokens?: number;
  /** Prices in USD per token; finite and not negative. */
  readonly prices?: ModelPrices;
  /** Endpoint kind, e.g. `chat` or `embedding`. */
  readonly mode?: string;
  /** Other names that resolve to this entry, e.g. `gpt-4-1106-preview` for `gpt-4-turbo`. */
  readonly aliases?: readonly string[];
}
