import type OpenAI from 'openai';
import { createTrackedChatCreate } from './chat-create.js';
import type { EncodingName } from './core.js';
import { invalidArgument, TollgateOpenAIError } from './errors.js';
import type { UsageStats, WrapOpenAIOptions } from './types.js';
import { UsageTracker } from './usage-tracker.js';

const wrapped = Symbol.for('tollgate.openai.wrapped');
const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'];

interface WrappedMarker {
  [wrapped]?: UsageTracker;
}

function validateOptions(options: unknown): WrapOpenAIOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an options object', options);
  const { onUsage, defaultEncoding } = options as WrapOpenAIOptions;
  if (onUsage !== undefined && typeof onUsage !== 'function')
    throw invalidArgument('options.onUsage', 'a function', onUsage);
  if (defaultEncoding !== undefined && !ENCODINGS.includes(defaultEncoding)) {
    throw invalidArgument(
      'options.defaultEncoding',
      `one of ${ENCODINGS.join(', ')}`,
      defaultEncoding,
    );
  }
  return options as WrapOpenAIOptions;
}

/**
 * Adds exact prompt counting, usage and cost tracking to an OpenAI client, in place.
 *
 * `client.chat.completions.create` (streaming or not) is replaced on that client's `completions`
 * object by a tracked one; every other property and method stays the very same. The client keeps
 * its type, its APIPromise helpers (`.withResponse()`, `.asResponse()`), its Stream helpers and its
 * error classes. Each call ends in exactly one {@link UsageRecord}, given to `options.onUsage` and
 * published on the `tollgate:openai:usage` diagnostics channel; {@link getUsageStats} sums them.
 *
 * Streaming: when the caller did not ask for usage, `stream_options.include_usage` is set and the
 * extra usage chunk is hidden, so the caller iterates what an unwrapped client would give.
 * A client derived later with `client.withOptions()` is a new object and is not tracked.
 *
 * @returns the same `client` object.
 * @throws TollgateOpenAIError `ERR_ALREADY_WRAPPED` when `client` was wrapped before.
 * @throws TollgateOpenAIError `ERR_INVALID_ARGUMENT` for a client without `chat.completions.create`
 *   or bad options.
 * @example
 * ```ts
 * const client = wrapOpenAI(new OpenAI(), { onUsage: (record) => bill(record.costUsd) });
 * await client.chat.completions.create({ model: 'gpt-4o', messages });
 * getUsageStats(client)?.byModel['gpt-4o']?.costUsd;
 * ```
 */
export function wrapOpenAI<T extends OpenAI>(client: T, options?: WrapOpenAIOptions): T {
  const completions = (client as { chat?: { completions?: { create?: unknown } } } | null)?.chat
    ?.completions;
  if (typeof completions?.create !== 'function') {
    throw invalidArgument('client', 'an OpenAI client with `chat.completions.create`', client);
  }
  if ((client as WrappedMarker)[wrapped] !== undefined) {
    throw new TollgateOpenAIError(
      'ERR_ALREADY_WRAPPED',
      'Expected `client` to be an unwrapped OpenAI client, got one that wrapOpenAI already wrapped.',
      {
        field: 'client',
      },
    );
  }
  const { onUsage, defaultEncoding = 'o200k_base' } = validateOptions(options);

  const tracker = new UsageTracker(onUsage);
  const originalCreate = completions.create as Parameters<typeof createTrackedChatCreate>[0];
  const create = createTrackedChatCreate(
    originalCreate,
    completions,
    client,
    tracker,
    defaultEncoding,
  );
  Object.defineProperty(completions, 'create', {
    value: create,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(client, wrapped, { value: tracker, enumerable: false });
  return client;
}

/** True when `client` was wrapped by {@link wrapOpenAI}. */
export function isWrapped(client: unknown): boolean {
  return (
    typeof client === 'object' &&
    client !== null &&
    (client as WrappedMarker)[wrapped] !== undefined
  );
}

/** The usage totals of a wrapped client, per model and in total; `undefined` for an unwrapped one. */
export function getUsageStats(client: unknown): UsageStats | undefined {
  return isWrapped(client) ? (client as WrappedMarker)[wrapped]?.stats() : undefined;
}

/** Zeroes the usage totals of a wrapped client; does nothing for an unwrapped one. */
export function resetUsageStats(client: unknown): void {
  if (isWrapped(client)) (client as WrappedMarker)[wrapped]?.reset();
}
