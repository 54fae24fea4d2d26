import { describeValue, TollgateError } from '../errors.js';
import { encodingForFamily } from './model-family.js';
import type { ModelEntry, ModelPrices } from './model-info.js';
import { normalizeModelName } from './model-name.js';

/** Options of {@link loadLiteLLMModelPrices}. */
export interface LoadLiteLLMOptions {
  /** Skip entries with malformed numbers instead of throwing. Default `false`. */
  readonly skipInvalid?: boolean;
}

// LiteLLM providers whose model names follow OpenAI's, so the family encoding rules apply.
const OPENAI_PROVIDERS = new Set(['openai', 'text-completion-openai', 'azure', 'azure_text', 'openrouter']);

class SkipEntry extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readNumber(
  entry: Record<string, unknown>,
  name: string,
  key: string,
  kind: 'price' | 'count',
  skipInvalid: boolean,
): number | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  const valid = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (kind === 'price' || Number.isInteger(value));
  if (valid) return value;
  if (skipInvalid) throw new SkipEntry();
  const field = `json[${JSON.stringify(name)}].${key}`;
  const shown = describeValue(value);
  const expected = kind === 'price' ? 'a finite, non-negative number of USD per token' : 'a non-negative integer';
  throw new TollgateError('ERR_INVALID_MODEL_DATA', `Expected \`${field}\` to be ${expected}, got ${shown}.`, { field, value: shown });
}

function convertEntry(name: string, entry: Record<string, unknown>, skipInvalid: boolean): ModelEntry | undefined {
  const input = readNumber(entry, name, 'input_cost_per_token', 'price', skipInvalid);
  // Entries priced per image, per second or per query carry no token price: not ours to model.
  if (input === undefined) return undefined;
  const output = readNumber(entry, name, 'output_cost_per_token', 'price', skipInvalid) ?? 0;
  const prices: { -readonly [K in keyof ModelPrices]: ModelPrices[K] } = { input, output };
  const cacheRead = readNumber(entry, name, 'cache_read_input_token_cost', 'price', skipInvalid);
  const cacheWrite = readNumber(entry, name, 'cache_creation_input_token_cost', 'price', skipInvalid);
  const reasoning = readNumber(entry, name, 'output_cost_per_reasoning_token', 'price', skipInvalid);
  if (cacheRead !== undefined) prices.cacheRead = cacheRead;
  if (cacheWrite !== undefined) prices.cacheWrite = cacheWrite;
  if (reasoning !== undefined) prices.reasoning = reasoning;

  const maxTokens = readNumber(entry, name, 'max_tokens', 'count', skipInvalid);
  const maxInput = readNumber(entry, name, 'max_input_tokens', 'count', skipInvalid);
  const maxOutput = readNumber(entry, name, 'max_output_tokens', 'count', skipInvalid);
  const provider = typeof entry.litellm_provider === 'string' ? entry.litellm_provider : 'unknown';
  const encoding = OPENAI_PROVIDERS.has(provider) ? (encodingForFamily(normalizeModelName(name)) ?? null) : null;
  const contextWindow = maxInput ?? maxTokens;
  return {
    name,
    provider,
    encoding,
    contextWindow: contextWindow === 0 ? undefined : contextWindow,
    maxOutputTokens: maxOutput ?? maxTokens,
    prices,
    mode: typeof entry.mode === 'string' ? entry.mode : undefined,
  };
}

/**
 * Converts LiteLLM's `model_prices_and_context_window.json` (already parsed) into entries for
 * `registerModels`. Reads `input_cost_per_token`, `output_cost_per_token`,
 * `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
 * `output_cost_per_reasoning_token`, `max_input_tokens`, `max_output_tokens`, `max_tokens`
 * (fallback for both limits), `litellm_provider` and `mode`. Skips `sample_spec` and entries with
 * no per-token input price (image, audio-second or per-query pricing). Encodings come from the
 * OpenAI family rules for OpenAI-style providers and are `null` otherwise.
 *
 * @example
 * registerModels(loadLiteLLMModelPrices(JSON.parse(text)));
 * @throws TollgateError `ERR_INVALID_MODEL_DATA` naming `json["model"].field` for a malformed
 *   number or an empty model name (unless `skipInvalid`, which skips such entries), or when
 *   `json` is not an object.
 */
export function loadLiteLLMModelPrices(json: unknown, options: LoadLiteLLMOptions = {}): ModelEntry[] {
  if (!isRecord(json)) {
    const shown = describeValue(json);
    throw new TollgateError('ERR_INVALID_MODEL_DATA', `Expected \`json\` to be the parsed LiteLLM price object, got ${shown}.`, { field: 'json', value: shown });
  }
  const skipInvalid = options.skipInvalid === true;
  const entries: ModelEntry[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === 'sample_spec' || !isRecord(entry)) continue;
    if (name.trim() === '') {
      // A model must have a name; `registerModels` would refuse the whole batch for one without.
      if (skipInvalid) continue;
      throw new TollgateError('ERR_INVALID_MODEL_DATA', `Expected every key of \`json\` to be a model name, got ${JSON.stringify(name)}.`, { field: 'json', value: JSON.stringify(name) });
    }
    try {
      const converted = convertEntry(name, entry, skipInvalid);
      if (converted !== undefined) entries.push(converted);
    } catch (error) {
      if (!(error instanceof SkipEntry)) throw error;
    }
  }
  return entries;
}
