import { describeValue, TollgateError } from '../errors.js';
import { isEncodingName } from '../tokenizer/encoding-name.js';
import { encodingForFamily } from './model-family.js';
import type { ModelInfo, ModelPrices } from './model-info.js';
import { normalizeModelName } from './model-name.js';

const PRICE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;

function invalidData(field: string, expected: string, value: unknown): TollgateError {
  const shown = describeValue(value);
  return new TollgateError('ERR_INVALID_MODEL_DATA', `Expected \`${field}\` to be ${expected}, got ${shown}.`, {
    field,
    value: shown,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalCount(field: string, value: unknown, minimum: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw invalidData(field, minimum === 0 ? 'a non-negative integer' : 'a positive integer', value);
  }
  return value;
}

function validatePrices(field: string, value: unknown): ModelPrices | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidData(field, 'an object of prices in USD per token', value);
  const prices: Record<string, number> = {};
  for (const key of PRICE_KEYS) {
    const price = value[key];
    if (price === undefined || price === null) {
      if (key === 'input' || key === 'output') throw invalidData(`${field}.${key}`, 'a finite price in USD per token', price);
      continue;
    }
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      throw invalidData(`${field}.${key}`, 'a finite, non-negative price in USD per token', price);
    }
    prices[key] = price;
  }
  return Object.freeze(prices) as unknown as ModelPrices;
}

/**
 * Checks one registry entry and turns it into a frozen {@link ModelInfo}.
 * `field` names the entry in error messages, e.g. `entries[3]`.
 *
 * @throws TollgateError `ERR_INVALID_MODEL_DATA` naming the bad field and the value that came.
 */
export function validateModelEntry(field: string, entry: unknown): { info: ModelInfo; aliases: string[] } {
  if (!isRecord(entry)) throw invalidData(field, 'a model entry object', entry);
  const { name } = entry;
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw invalidData(`${field}.name`, 'a non-empty string', name);
  }

  let encoding = entry.encoding;
  if (encoding === undefined) encoding = encodingForFamily(normalizeModelName(name)) ?? null;
  if (encoding !== null && !isEncodingName(encoding)) {
    throw invalidData(`${field}.encoding`, 'a bundled encoding name or null', encoding);
  }
  const provider = entry.provider ?? (encoding === null ? 'unknown' : 'openai');
  if (typeof provider !== 'string') throw invalidData(`${field}.provider`, 'a string', provider);
  const mode = entry.mode ?? undefined;
  if (mode !== undefined && typeof mode !== 'string') throw invalidData(`${field}.mode`, 'a string', mode);

  const aliases = entry.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((alias) => typeof alias !== 'string' || alias.length === 0)) {
    throw invalidData(`${field}.aliases`, 'an array of non-empty strings', aliases);
  }

  const info: ModelInfo = Object.freeze({
    name: name.trim().toLowerCase(),
    provider,
    encoding,
    contextWindow: optionalCount(`${field}.contextWindow`, entry.contextWindow, 1),
    maxOutputTokens: optionalCount(`${field}.maxOutputTokens`, entry.maxOutputTokens, 0),
    prices: validatePrices(`${field}.prices`, entry.prices),
    mode,
  });
  return { info, aliases: aliases.map((alias: string) => alias.trim().toLowerCase()) };
}
