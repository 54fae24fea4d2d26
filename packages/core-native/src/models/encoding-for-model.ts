import { invalidArgument, TollgateError } from '../errors.js';
import { isEncodingName, type EncodingName } from '../tokenizer/encoding-name.js';
import { encodingForFamily } from './model-family.js';
import { normalizeModelName } from './model-name.js';
import { findModelInfo } from './model-registry.js';

/** Options of {@link getEncodingNameForModel}. */
export interface EncodingForModelOptions {
  /** Encoding to use when the model is unknown or has no tiktoken encoding. No default. */
  readonly defaultEncoding?: EncodingName;
}

/**
 * The tiktoken encoding of a model: the registry's entry first, then the OpenAI family rules
 * (gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4*, chatgpt-4o* → o200k_base; gpt-4*, gpt-3.5*,
 * text-embedding-*, davinci-002, babbage-002 → cl100k_base; text-davinci-002/003, code-* →
 * p50k_base; davinci, curie, babbage, ada, gpt2 → r50k_base), then `defaultEncoding`.
 *
 * @example
 * getEncodingNameForModel('azure/gpt-4o-2024-08-06'); // 'o200k_base'
 * @throws TollgateError `ERR_UNKNOWN_MODEL` when no rule knows the model and no default is given.
 * @throws TollgateError `ERR_UNKNOWN_ENCODING` when the model is known but has no tiktoken
 *   encoding (e.g. Claude) and no default is given.
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for a non-string model or a bad `defaultEncoding`.
 */
export function getEncodingNameForModel(model: string, options: EncodingForModelOptions = {}): EncodingName {
  const { defaultEncoding } = options;
  if (defaultEncoding !== undefined && !isEncodingName(defaultEncoding)) {
    throw invalidArgument('options.defaultEncoding', 'a bundled encoding name', defaultEncoding);
  }
  const info = findModelInfo(model);
  if (info?.encoding) return info.encoding;

  const family = info === undefined ? encodingForFamily(normalizeModelName(model)) : undefined;
  if (family !== undefined) return family;
  if (defaultEncoding !== undefined) return defaultEncoding;

  const shown = model.slice(0, 80);
  if (info !== undefined) {
    throw new TollgateError('ERR_UNKNOWN_ENCODING', `Expected \`model\` to use a tiktoken encoding, got ${JSON.stringify(shown)} (provider ${info.provider}); pass \`defaultEncoding\` to estimate.`, {
      field: 'model',
      value: shown,
    });
  }
  throw new TollgateError('ERR_UNKNOWN_MODEL', `Expected \`model\` to name a known model or family, got ${JSON.stringify(shown)}; pass \`defaultEncoding\` to count anyway.`, {
    field: 'model',
    value: shown,
  });
}
