import { invalidArgument, TollgateError } from '../errors.js';
import { bundledModelEntries } from './bundled-models.js';
import type { ModelEntry, ModelInfo } from './model-info.js';
import { candidateModelNames } from './model-name.js';
import { validateModelEntry } from './validate-model-entry.js';

/** Options of {@link registerModels}. */
export interface RegisterModelsOptions {
  /** Drop every model known so far (the bundled ones too) before adding these. Default `false`. */
  readonly replace?: boolean;
}

const byName = new Map<string, ModelInfo>();
// Resolved lookups, including misses (`null`); cleared whenever the registry changes, and
// bounded so that a stream of made-up names cannot grow it without end.
const resolved = new Map<string, ModelInfo | null>();
const RESOLVED_CACHE_LIMIT = 4096;
let initialized = false;

function ensureInitialized(): void {
  if (initialized) return;
  initialized = true;
  addEntries(bundledModelEntries(), 'data/models.json');
}

function addEntries(entries: readonly unknown[], label: string): void {
  // Validate everything first so that a bad entry leaves the registry untouched.
  const checked = entries.map((entry, index) => validateModelEntry(`${label}[${index}]`, entry));
  for (const { info, aliases } of checked) {
    byName.set(info.name, info);
    for (const alias of aliases) byName.set(alias, info);
  }
  resolved.clear();
}

/**
 * Adds models to the registry, or replaces it. Later entries win over earlier ones with the same
 * name or alias. All entries are validated before any is added.
 *
 * @example
 * registerModels([{ name: 'my-gpt', encoding: 'o200k_base', prices: { input: 1e-6, output: 4e-6 } }]);
 * @throws TollgateError `ERR_INVALID_MODEL_DATA` naming the entry field and value that is wrong
 *   (negative or non-finite prices, unknown encoding, non-integer windows, ...).
 * @throws TollgateError `ERR_INVALID_ARGUMENT` when `entries` is not an array.
 */
export function registerModels(entries: readonly ModelEntry[], options: RegisterModelsOptions = {}): void {
  if (!Array.isArray(entries)) throw invalidArgument('entries', 'an array of model entries', entries);
  if (options.replace === true) {
    // Validate before dropping anything.
    entries.forEach((entry, index) => validateModelEntry(`entries[${index}]`, entry));
    byName.clear();
    initialized = true;
  } else {
    ensureInitialized();
  }
  addEntries(entries, 'entries');
}

/** Restores the registry to the bundled `data/models.json`, dropping registered models. */
export function resetModelRegistry(): void {
  byName.clear();
  resolved.clear();
  initialized = false;
}

/**
 * Looks a model up: the exact name, then without provider prefix (`openai/`, `azure/`, ...) or
 * fine-tuning wrapper (`ft:gpt-4o-mini:org::id`), then without a date or version suffix
 * (`gpt-4o-2024-08-06`, `gpt-4-0613`, `claude-sonnet-4-20250514`). Case-insensitive; results are
 * cached. A fine-tuned model resolves to its base model, whose prices are not the fine-tuned
 * prices: register fine-tuned models explicitly when cost matters.
 *
 * @returns the model, or `undefined` when no rule finds it.
 * @throws TollgateError `ERR_INVALID_ARGUMENT` when `model` is not a non-empty string.
 */
export function findModelInfo(model: string): ModelInfo | undefined {
  if (typeof model !== 'string' || model.trim().length === 0) {
    throw invalidArgument('model', 'a non-empty model name', model);
  }
  ensureInitialized();
  const cached = resolved.get(model);
  if (cached !== undefined) return cached ?? undefined;

  let found: ModelInfo | null = null;
  for (const candidate of candidateModelNames(model)) {
    const info = byName.get(candidate);
    if (info !== undefined) {
      found = info;
      break;
    }
  }
  if (resolved.size >= RESOLVED_CACHE_LIMIT) resolved.clear();
  resolved.set(model, found);
  return found ?? undefined;
}

/**
 * Like {@link findModelInfo}, but an unknown model is an error.
 *
 * @throws TollgateError `ERR_UNKNOWN_MODEL` naming the model when no rule finds it.
 * @throws TollgateError `ERR_INVALID_ARGUMENT` when `model` is not a non-empty string.
 */
export function getModelInfo(model: string): ModelInfo {
  const info = findModelInfo(model);
  if (info === undefined) {
    throw new TollgateError('ERR_UNKNOWN_MODEL', `Expected \`model\` to name a registered model, got ${JSON.stringify(model.slice(0, 80))}.`, {
      field: 'model',
      value: model.slice(0, 80),
    });
  }
  return info;
}
