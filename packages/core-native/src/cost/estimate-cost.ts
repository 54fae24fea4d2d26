import { describeValue, invalidArgument, TollgateError } from '../errors.js';
import type { ModelPrices } from '../models/model-info.js';
import { getModelInfo } from '../models/model-registry.js';
import { detectUsageStyle, normalizeUsage, type NormalizedUsage, type UsageStyle } from './normalize-usage.js';

const USAGE_STYLES: readonly UsageStyle[] = ['openai-chat', 'openai-responses', 'anthropic'];
const PRICE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;

/** Options of {@link estimateCost}. Give `model`, `prices`, or both (`prices` then wins). */
export interface EstimateCostOptions {
  /** Model whose registry prices to use; also hints the usage style (provider). */
  readonly model?: string;
  /** Prices in USD per token; override the model's prices. */
  readonly prices?: ModelPrices;
  /** The provider's `usage` object, as returned by the API. */
  readonly usage: unknown;
  /** How to read `usage`; detected from its field names when omitted. */
  readonly usageStyle?: UsageStyle;
}

/** A cost split by what was billed. Every part is in USD and never negative. */
export interface CostBreakdown {
  /** Uncached input tokens × `input`. */
  readonly inputUsd: number;
  /** Cache-read input tokens × `cacheRead` (falls back to `input`). */
  readonly cachedInputUsd: number;
  /** Cache-write input tokens × `cacheWrite` (falls back to `input`). */
  readonly cacheWriteUsd: number;
  /** Non-reasoning output tokens × `output`. */
  readonly outputUsd: number;
  /** Reasoning tokens × `reasoning` (falls back to `output`). */
  readonly reasoningUsd: number;
  /** Sum of all parts. */
  readonly totalUsd: number;
  /** The token counts each part was computed from. */
  readonly tokens: NormalizedUsage;
  /** The usage style used (given or detected). */
  readonly usageStyle: UsageStyle;
  /** The prices used, after fallbacks. */
  readonly prices: Required<ModelPrices>;
}

function checkPrices(prices: unknown): ModelPrices {
  if (typeof prices !== 'object' || prices === null) throw invalidArgument('prices', 'an object of prices in USD per token', prices);
  const record = prices as Record<string, unknown>;
  for (const key of PRICE_KEYS) {
    const price = record[key];
    const required = key === 'input' || key === 'output';
    if (price === undefined && !required) continue;
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      throw invalidArgument(`prices.${key}`, 'a finite, non-negative price in USD per token', price);
    }
  }
  return record as unknown as ModelPrices;
}

function resolvePrices(options: EstimateCostOptions): { prices: ModelPrices; provider: string | undefined } {
  if (options.prices !== undefined) {
    const provider = options.model === undefined ? undefined : safeProvider(options.model);
    return { prices: checkPrices(options.prices), provider };
  }
  if (options.model === undefined) throw invalidArgument('options.model', 'a model name when `prices` is not given', undefined);
  const info = getModelInfo(options.model);
  if (info.prices === undefined) {
    const shown = describeValue(options.model);
    throw new TollgateError('ERR_INVALID_MODEL_DATA', `Expected model ${shown} to have prices in the registry, got none; pass \`prices\`.`, {
      field: 'model',
      value: shown,
    });
  }
  return { prices: info.prices, provider: info.provider };
}

function safeProvider(model: string): string | undefined {
  try {
    return getModelInfo(model).provider;
  } catch {
    return undefined;
  }
}

/**
 * Estimates the USD cost of one request from the provider's usage report.
 *
 * Counting rules: OpenAI cached tokens are inside the prompt/input tokens and are billed once at
 * `cacheRead`; OpenAI reasoning tokens are inside the completion/output tokens and are billed once
 * at `reasoning`; Anthropic `input_tokens` exclude cache reads and writes, which are added at
 * `cacheRead` and `cacheWrite`. Fallbacks: `cacheRead` → `input`, `cacheWrite` → `input`,
 * `reasoning` → `output`. Cached tokens above the prompt tokens are clamped to the prompt tokens.
 *
 * @example
 * estimateCost({ model: 'gpt-4o', usage: completion.usage }).totalUsd;
 * @throws TollgateError `ERR_INVALID_USAGE` naming the usage field for a negative, NaN or
 *   non-numeric count, or when the style cannot be detected.
 * @throws TollgateError `ERR_UNKNOWN_MODEL` for an unknown `model` without `prices`.
 * @throws TollgateError `ERR_INVALID_MODEL_DATA` when the model has no prices and none are given.
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for bad `prices`, `usageStyle` or missing model.
 */
export function estimateCost(options: EstimateCostOptions): CostBreakdown {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an options object', options);
  const { usage, usageStyle } = options;
  if (usageStyle !== undefined && !USAGE_STYLES.includes(usageStyle)) {
    throw invalidArgument('options.usageStyle', `one of ${USAGE_STYLES.join(', ')}`, usageStyle);
  }
  const { prices, provider } = resolvePrices(options);

  const style = usageStyle ?? detectUsageStyle(usage, provider);
  const tokens = normalizeUsage(usage, style);

  const used: Required<ModelPrices> = {
    input: prices.input,
    output: prices.output,
    cacheRead: prices.cacheRead ?? prices.input,
    cacheWrite: prices.cacheWrite ?? prices.input,
    reasoning: prices.reasoning ?? prices.output,
  };
  const inputUsd = tokens.inputTokens * used.input;
  const cachedInputUsd = tokens.cacheReadTokens * used.cacheRead;
  const cacheWriteUsd = tokens.cacheWriteTokens * used.cacheWrite;
  const outputUsd = tokens.outputTokens * used.output;
  const reasoningUsd = tokens.reasoningTokens * used.reasoning;
  return {
    inputUsd,
    cachedInputUsd,
    cacheWriteUsd,
    outputUsd,
    reasoningUsd,
    totalUsd: inputUsd + cachedInputUsd + cacheWriteUsd + outputUsd + reasoningUsd,
    tokens,
    usageStyle: style,
    prices: used,
  };
}
