import { describeValue, invalidArgument, TollgateError } from '../errors.js';
import { getEncodingNameForModel } from '../models/encoding-for-model.js';
import { ENCODING_NAMES, isEncodingName, type EncodingName } from './encoding-name.js';
import { SPECIAL_TOKENS } from './specials.js';

/** Options shared by the counting and encoding functions. */
export interface TokenizeOptions {
  /** Model whose encoding to use, e.g. `gpt-4o` or `azure/gpt-4.1-mini-2025-04-14`. */
  readonly model?: string;
  /** Encoding to use; wins over `model`. Default: `o200k_base` when neither is given. */
  readonly encoding?: EncodingName;
  /** Encoding to use when `model` is unknown (otherwise an unknown model throws). */
  readonly defaultEncoding?: EncodingName;
  /**
   * Special tokens recognised in the text: `'all'` or a list of their texts. Default: none, so
   * text such as `<|endoftext|>` inside user content counts as ordinary text and never throws.
   */
  readonly allowedSpecial?: 'all' | readonly string[];
}

/** An encoding and special-token mask resolved from {@link TokenizeOptions}. */
export interface ResolvedOptions {
  readonly encoding: EncodingName;
  readonly mask: number;
}

const DEFAULT_ENCODING: EncodingName = 'o200k_base';

function requireEncodingName(value: unknown, field: string): asserts value is EncodingName {
  if (!isEncodingName(value)) {
    throw new TollgateError('ERR_UNKNOWN_ENCODING', `Expected \`${field}\` to be one of ${ENCODING_NAMES.join(', ')}, got ${describeValue(value)}.`, {
      field,
      value: describeValue(value),
    });
  }
}

function resolveEncoding(options: TokenizeOptions): EncodingName {
  if (options.defaultEncoding !== undefined) requireEncodingName(options.defaultEncoding, 'options.defaultEncoding');
  if (options.encoding !== undefined) {
    requireEncodingName(options.encoding, 'options.encoding');
    return options.encoding;
  }
  if (options.model !== undefined) {
    if (typeof options.model !== 'string') throw invalidArgument('options.model', 'a string', options.model);
    const resolveOptions = options.defaultEncoding === undefined ? {} : { defaultEncoding: options.defaultEncoding };
    return getEncodingNameForModel(options.model, resolveOptions);
  }
  return options.defaultEncoding ?? DEFAULT_ENCODING;
}

function resolveMask(encoding: EncodingName, allowed: TokenizeOptions['allowedSpecial']): number {
  const specials = SPECIAL_TOKENS[encoding];
  if (allowed === undefined) return 0;
  if (allowed === 'all') return (1 << specials.length) - 1;
  if (!Array.isArray(allowed)) throw invalidArgument('options.allowedSpecial', '"all" or an array of special-token texts', allowed);
  let mask = 0;
  for (let index = 0; index < allowed.length; index++) {
    const text: unknown = allowed[index];
    const at = specials.findIndex(([special]) => special === text);
    if (at < 0) {
      const field = `options.allowedSpecial[${index}]`;
      throw new TollgateError('ERR_UNKNOWN_SPECIAL_TOKEN', `Expected \`${field}\` to be a special token of ${encoding}, got ${describeValue(text)}.`, {
        field,
        value: describeValue(text),
      });
    }
    mask |= 1 << at;
  }
  return mask;
}

const cache = new Map<string, ResolvedOptions>();
const byModel = new Map<string, ResolvedOptions>();

const PLAIN = Object.fromEntries(ENCODING_NAMES.map((name) => [name, { encoding: name, mask: 0 }])) as Record<
  EncodingName,
  ResolvedOptions
>;

/** The common shapes, `{ encoding }` and `{ model }`, without building a cache key (hot path). */
function fastPath(options: TokenizeOptions): ResolvedOptions | undefined {
  const { model, encoding, defaultEncoding, allowedSpecial } = options;
  if (defaultEncoding !== undefined || allowedSpecial !== undefined) return undefined;
  if (model === undefined && typeof encoding === 'string' && Object.hasOwn(PLAIN, encoding)) return PLAIN[encoding];
  if (encoding !== undefined || typeof model !== 'string') return undefined;
  let resolved = byModel.get(model);
  if (resolved === undefined) {
    resolved = PLAIN[getEncodingNameForModel(model)];
    if (byModel.size >= CACHE_LIMIT) byModel.clear();
    byModel.set(model, resolved);
  }
  return resolved;
}
const CACHE_LIMIT = 1024;

/** Resolves options once per distinct (model, encoding, specials) and caches the answer. */
export function resolveOptions(options: TokenizeOptions | undefined): ResolvedOptions {
  if (options === undefined) return PLAIN[DEFAULT_ENCODING];
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  const fast = fastPath(options);
  if (fast !== undefined) return fast;
  const special = options.allowedSpecial;
  const key = cacheKey(options);
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached !== undefined) return cached;

  const encoding = resolveEncoding(options);
  const resolved = { encoding, mask: resolveMask(encoding, special) };
  if (key === undefined) return resolved;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, resolved);
  return resolved;
}

/** A key for options made only of strings (others are resolved, and rejected, every time). */
function cacheKey(options: TokenizeOptions): string | undefined {
  const { model, encoding, defaultEncoding, allowedSpecial } = options;
  const parts = [model, encoding, defaultEncoding];
  if (parts.some((part) => part !== undefined && typeof part !== 'string')) return undefined;
  let specials: string;
  if (allowedSpecial === undefined || allowedSpecial === 'all') specials = `s:${allowedSpecial}`;
  else if (Array.isArray(allowedSpecial) && allowedSpecial.every((t) => typeof t === 'string')) {
    specials = `a:${JSON.stringify(allowedSpecial)}`;
  } else return undefined;
  // JSON keeps the parts apart whatever characters they hold.
  return JSON.stringify([...parts, specials]);
}

/** Throws unless `text` is a string. */
export function requireText(text: unknown, field = 'text'): asserts text is string {
  if (typeof text !== 'string') throw invalidArgument(field, 'a string', text);
}

/** Throws unless `texts` is an array of strings. */
export function requireTexts(texts: unknown, field = 'texts'): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) throw invalidArgument(field, 'an array of strings', texts);
  for (let index = 0; index < texts.length; index++) requireText(texts[index], `${field}[${index}]`);
}

/** Throws unless `signal` is absent or an `AbortSignal`. */
export function requireSignal(signal: unknown): asserts signal is AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgument('options.signal', 'an AbortSignal', signal);
  }
}
