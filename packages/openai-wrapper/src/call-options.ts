import type OpenAI from 'openai';
import type { CallSettings } from './call-path/index.js';
import { invalidArgument } from './errors.js';

/** The SDK's request options (the second argument of every resource method). */
export type RequestOptions = NonNullable<Parameters<OpenAI['chat']['completions']['retrieve']>[1]>;

/** The `__metadata` key under which per-call settings travel through the SDK. */
export const CALL_SETTINGS_KEY = 'tollgate';
/** Set by the chat adapter when the wrapper, not the caller, asked for stream usage. */
export const HIDE_USAGE_KEY = 'tollgateHideUsage';

/** Per-call settings of a wrapped client: limiter key, priority, required tags, deployment pin. */
export type TollgateCallOptions = CallSettings;

/**
 * Request options for a wrapped client's call with tollgate's per-call settings, typed. The SDK's
 * `RequestOptions` is a type alias and cannot be augmented, so the settings ride in its
 * `__metadata` field, which the SDK passes along and never sends.
 *
 * @throws {TollgateOpenAIError} `ERR_INVALID_ARGUMENT` for a bad setting (the message names it).
 * @example
 * ```ts
 * await client.chat.completions.create(
 *   { model: 'gpt-4o', messages },
 *   callOptions({ key: 'user:42', priority: 1, tags: ['eu'] }, { timeout: 20_000 }),
 * );
 * ```
 */
export function callOptions(settings: TollgateCallOptions, options: RequestOptions = {}): RequestOptions {
  const { key, priority, tags, deployment } = settings ?? {};
  if (key !== undefined && (typeof key !== 'string' || key === '')) throw invalidArgument('key', 'a non-empty string', key);
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) throw invalidArgument('priority', 'a finite number', priority);
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')))
    throw invalidArgument('tags', 'an array of strings', tags);
  if (deployment !== undefined && (typeof deployment !== 'string' || deployment === ''))
    throw invalidArgument('deployment', 'a non-empty string', deployment);
  return { ...options, __metadata: { ...options.__metadata, [CALL_SETTINGS_KEY]: { key, priority, tags, deployment } } };
}

/** Splits the request options a resource passed to `post` into tollgate's part and the rest. */
export function takeCallSettings(options: Record<string, unknown>): {
  settings: CallSettings | undefined;
  hideUsage: boolean;
  rest: Record<string, unknown>;
} {
  const metadata = options.__metadata as Record<string, unknown> | undefined;
  if (metadata === undefined || (!(CALL_SETTINGS_KEY in metadata) && !(HIDE_USAGE_KEY in metadata)))
    return { settings: undefined, hideUsage: false, rest: options };
  const { [CALL_SETTINGS_KEY]: settings, [HIDE_USAGE_KEY]: hideUsage, ...others } = metadata;
  const rest = { ...options };
  if (Object.keys(others).length === 0) delete rest.__metadata;
  else rest.__metadata = others;
  return { settings: settings as CallSettings | undefined, hideUsage: hideUsage === true, rest };
}
