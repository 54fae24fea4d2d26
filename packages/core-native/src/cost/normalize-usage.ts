import { describeValue, TollgateError } from '../errors.js';

/**
 * How a provider reports token usage:
 * - `openai-chat`: Chat Completions; `prompt_tokens` INCLUDES
 *   `prompt_tokens_details.cached_tokens`, `completion_tokens` INCLUDES
 *   `completion_tokens_details.reasoning_tokens`.
 * - `openai-responses`: Responses API; `input_tokens` INCLUDES `input_tokens_details.cached_tokens`,
 *   `output_tokens` INCLUDES `output_tokens_details.reasoning_tokens`.
 * - `anthropic`: Messages API; `input_tokens` EXCLUDES `cache_read_input_tokens` and
 *   `cache_creation_input_tokens`.
 */
export type UsageStyle = 'openai-chat' | 'openai-responses' | 'anthropic';

/** Usage split into disjoint parts, each billed at one price. All counts are non-negative. */
export interface NormalizedUsage {
  /** Input tokens billed at the input price (cache reads and writes excluded). */
  readonly inputTokens: number;
  /** Input tokens read from the prompt cache. */
  readonly cacheReadTokens: number;
  /** Input tokens written to the prompt cache. */
  readonly cacheWriteTokens: number;
  /** Output tokens that are not reasoning tokens. */
  readonly outputTokens: number;
  /** Reasoning tokens (part of the output for OpenAI; counted once). */
  readonly reasoningTokens: number;
}

type UsageRecord = Record<string, unknown>;

function isRecord(value: unknown): value is UsageRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badUsage(field: string, expected: string, value: unknown): TollgateError {
  const shown = describeValue(value);
  return new TollgateError('ERR_INVALID_USAGE', `Expected \`${field}\` to be ${expected}, got ${shown}.`, { field, value: shown });
}

// A missing or null count is 0 (providers omit or null the fields that do not apply).
function readCount(usage: UsageRecord, path: readonly string[]): number {
  let value: unknown = usage;
  for (const [index, key] of path.entries()) {
    if (value === undefined || value === null) return 0;
    if (!isRecord(value)) throw badUsage(`usage.${path.slice(0, index).join('.')}`, 'an object', value);
    value = value[key];
  }
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badUsage(`usage.${path.join('.')}`, 'a finite, non-negative token count', value);
  }
  return value;
}

/**
 * Detects the usage style from the field names: `prompt_tokens`/`completion_tokens` →
 * `openai-chat`; `cache_creation_input_tokens`/`cache_read_input_tokens` → `anthropic`;
 * `input_tokens`/`output_tokens` → `openai-responses`, or `anthropic` when `provider` is
 * `anthropic` (without cache fields both styles cost the same).
 *
 * @throws TollgateError `ERR_INVALID_USAGE` when `usage` is not an object or has none of these fields.
 */
export function detectUsageStyle(usage: unknown, provider?: string): UsageStyle {
  if (!isRecord(usage)) throw badUsage('usage', 'a usage object', usage);
  if ('prompt_tokens' in usage || 'completion_tokens' in usage) return 'openai-chat';
  if ('cache_creation_input_tokens' in usage || 'cache_read_input_tokens' in usage) return 'anthropic';
  if ('input_tokens' in usage || 'output_tokens' in usage) {
    if ('input_tokens_details' in usage || 'output_tokens_details' in usage) return 'openai-responses';
    return provider === 'anthropic' ? 'anthropic' : 'openai-responses';
  }
  throw badUsage('usage', 'an OpenAI or Anthropic usage object (prompt_tokens, input_tokens, ...)', usage);
}

/**
 * Splits provider usage into disjoint billed parts. Cached tokens above the prompt tokens and
 * reasoning tokens above the output tokens are clamped, so no part is negative.
 *
 * @throws TollgateError `ERR_INVALID_USAGE` naming the field (e.g. `usage.prompt_tokens`) when a
 *   count is negative, NaN, infinite or not a number.
 */
export function normalizeUsage(usage: unknown, style: UsageStyle): NormalizedUsage {
  if (!isRecord(usage)) throw badUsage('usage', 'a usage object', usage);
  if (style === 'anthropic') {
    return {
      inputTokens: readCount(usage, ['input_tokens']),
      cacheReadTokens: readCount(usage, ['cache_read_input_tokens']),
      cacheWriteTokens: readCount(usage, ['cache_creation_input_tokens']),
      outputTokens: readCount(usage, ['output_tokens']),
      reasoningTokens: 0,
    };
  }

  const chat = style === 'openai-chat';
  const input = readCount(usage, [chat ? 'prompt_tokens' : 'input_tokens']);
  const cached = readCount(usage, chat ? ['prompt_tokens_details', 'cached_tokens'] : ['input_tokens_details', 'cached_tokens']);
  const output = readCount(usage, [chat ? 'completion_tokens' : 'output_tokens']);
  const reasoning = readCount(usage, chat ? ['completion_tokens_details', 'reasoning_tokens'] : ['output_tokens_details', 'reasoning_tokens']);
  const cacheReadTokens = Math.min(cached, input);
  const reasoningTokens = Math.min(reasoning, output);
  return {
    inputTokens: input - cacheReadTokens,
    cacheReadTokens,
    cacheWriteTokens: 0,
    outputTokens: output - reasoningTokens,
    reasoningTokens,
  };
}
