import { estimateCost, TollgateError } from '../core.js';
import type { CostUnavailableReason, UsageErrorInfo } from './types.js';

/** Token counts read from a provider's usage object. */
export interface ReadUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number | undefined;
  readonly raw: Record<string, unknown>;
}

/** Prices of a deployment in USD per token, when its options gave them. */
export interface DeploymentPrices {
  readonly input: number;
  readonly output: number;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * The numeric fields of a provider's usage object (nested detail objects included, three levels
 * deep): token counts travel on, any text a provider put there does not.
 */
function countsOnly(usage: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(usage)) {
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (depth < 3 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[key] = countsOnly(value as Record<string, unknown>, depth + 1);
    }
  }
  return out;
}

/**
 * Reads a usage object of any OpenAI style: chat and completions (`prompt_tokens`,
 * `completion_tokens`), responses (`input_tokens`, `output_tokens`), embeddings (`prompt_tokens`
 * only). Returns `undefined` when it holds no valid counts.
 */
export function readUsage(usage: unknown): ReadUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const raw = countsOnly(usage as Record<string, unknown>, 0);
  const prompt = isCount(raw.prompt_tokens) ? raw.prompt_tokens : raw.input_tokens;
  if (!isCount(prompt)) return undefined;
  const completion = raw.completion_tokens ?? raw.output_tokens ?? 0;
  if (!isCount(completion)) return undefined;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: isCount(raw.total_tokens) ? raw.total_tokens : undefined,
    raw,
  };
}

/**
 * Cost of `usage` in USD: with the deployment's prices when given, else the registry's prices of
 * the first known model of `models`; a reason when there is none.
 */
export function costOf(
  usage: Record<string, unknown>,
  models: readonly string[],
  prices: DeploymentPrices | undefined,
): { costUsd?: number; reason?: CostUnavailableReason } {
  if (prices !== undefined) {
    try {
      return { costUsd: estimateCost({ model: models[0], prices, usage }).totalUsd };
    } catch {
      return { reason: 'invalid-usage' };
    }
  }
  for (const model of models) {
    try {
      return { costUsd: estimateCost({ model, usage }).totalUsd };
    } catch (error) {
      const code = TollgateError.isInstance(error) ? error.code : undefined;
      if (code === 'ERR_UNKNOWN_MODEL') continue;
      if (code === 'ERR_INVALID_USAGE') return { reason: 'invalid-usage' };
      return { reason: code === 'ERR_INVALID_MODEL_DATA' ? 'no-prices' : 'unknown-model' };
    }
  }
  return { reason: 'unknown-model' };
}

/** The safe parts of an error: class name, HTTP status, code. Never the message. */
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
    constructorName !== undefined && constructorName !== 'Object' && constructorName !== 'Error'
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
