import type OpenAI from 'openai';
import { CallPath, type CallTarget } from './call-path/index.js';
import { createChatCreate } from './chat-create.js';
import { findModelInfo, type DeploymentMetrics, type EncodingName, type Router } from './core.js';
import { buildDeployments } from './deployments.js';
import { invalidArgument, TollgateOpenAIError } from './errors.js';
import { ConnectionPools, createConnectionPools, type ConnectionPoolsOptions, type PoolStats } from './pool/index.js';
import { installPostSeam, sdkAbortError } from './post-seam.js';
import type { UsageStats, WrapOpenAIOptions } from './types.js';
import { UsageTracker } from './usage-tracker.js';

const wrapped = Symbol.for('tollgate.openai.wrapped');
const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'];

/** What a wrapped client keeps: its tracker and, when routing, router and pools. */
interface WrapperState {
  readonly tracker: UsageTracker;
  readonly router: Router | undefined;
  readonly pools: ConnectionPools | undefined;
  readonly ownsPools: boolean;
}

interface WrappedMarker {
  [wrapped]?: WrapperState;
}

/** Everything a wrapped client can report: usage, deployment metrics, pool stats. */
export interface WrapperStats {
  readonly usage: UsageStats;
  /** Router metrics per deployment (in flight, cooldowns, latency); empty without deployments. */
  readonly deployments: DeploymentMetrics[];
  /** Connection pools of the deployments, when the wrapper has pools. */
  readonly pools: PoolStats | undefined;
}

function validateOptions(options: unknown): WrapOpenAIOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an options object', options);
  const { onUsage, onError, defaultEncoding, limits } = options as WrapOpenAIOptions;
  if (onUsage !== undefined && typeof onUsage !== 'function')
    throw invalidArgument('options.onUsage', 'a function', onUsage);
  if (onError !== undefined && typeof onError !== 'function')
    throw invalidArgument('options.onError', 'a function', onError);
  if (defaultEncoding !== undefined && !ENCODINGS.includes(defaultEncoding)) {
    throw invalidArgument('options.defaultEncoding', `one of ${ENCODINGS.join(', ')}`, defaultEncoding);
  }
  if (limits !== undefined && typeof limits?.limiter?.acquire !== 'function')
    throw invalidArgument('options.limits.limiter', 'an object with an `acquire` method', limits?.limiter);
  const output = limits?.defaultOutputTokens;
  if (output !== undefined && !(Number.isInteger(output) && output >= 0))
    throw invalidArgument('options.limits.defaultOutputTokens', 'a non-negative integer', output);
  return options as WrapOpenAIOptions;
}

function registryWindow(model: string): number | undefined {
  try {
    return findModelInfo(model)?.contextWindow;
  } catch {
    return undefined;
  }
}

/**
 * Puts the whole call path into an OpenAI client, in place: count the prompt → refuse early when
 * it cannot fit the context window → reserve in the rate limiter → pick a deployment → send
 * (retrying 429s, 5xx and dropped connections on other deployments, honouring `Retry-After`) →
 * settle usage, cost and metrics. Covered: `chat.completions.create` (and `.parse`, `.stream`),
 * `responses.create` (and `.stream`, `.parse`), `embeddings.create`, `completions.create`;
 * every other method passes through untouched.
 *
 * The client keeps its type, its APIPromise helpers (`.withResponse()`, `.asResponse()`), its
 * Stream helpers and the SDK's error classes. Each call ends in exactly one {@link UsageRecord},
 * given to `options.onUsage` and published on `tollgate:openai:usage`. Per-call settings (limiter
 * key, priority, tags, deployment pin) go in the request options through `callOptions`.
 *
 * Streaming: when the caller did not ask for usage, it is asked for and the usage chunk hidden.
 * A stream failing before its first chunk is retried; after it, the error reaches the caller.
 * A client derived later with `client.withOptions()` is a new object and is not tracked.
 *
 * @returns the same `client` object.
 * @throws TollgateOpenAIError `ERR_ALREADY_WRAPPED` when `client` was wrapped before.
 * @throws TollgateOpenAIError `ERR_INVALID_ARGUMENT` for a client without `chat.completions.create`
 *   or bad options (the message names the field).
 * @example
 * ```ts
 * const client = wrapOpenAI(new OpenAI(), {
 *   deployments: { 'gpt-4o': [{ baseURL: EU_URL, apiKey: EU_KEY, rpm: 500 }, { baseURL: US_URL, rpm: 300 }] },
 *   routing: { strategy: 'least_busy', retries: 2, fallbacks: { 'gpt-4o': ['gpt-4o-mini'] } },
 *   onUsage: (record) => bill(record.costUsd),
 * });
 * await client.chat.completions.create({ model: 'gpt-4o', messages }, callOptions({ key: 'user:42' }));
 * ```
 */
export function wrapOpenAI<T extends OpenAI>(client: T, options?: WrapOpenAIOptions): T {
  const completions = (client as { chat?: { completions?: { create?: unknown } } } | null)?.chat?.completions;
  if (typeof completions?.create !== 'function' || typeof (client as { post?: unknown }).post !== 'function') {
    throw invalidArgument('client', 'an OpenAI client with `chat.completions.create`', client);
  }
  if ((client as WrappedMarker)[wrapped] !== undefined) {
    throw new TollgateOpenAIError(
      'ERR_ALREADY_WRAPPED',
      'Expected `client` to be an unwrapped OpenAI client, got one that wrapOpenAI already wrapped.',
      { field: 'client' },
    );
  }
  const settings = validateOptions(options);
  const { defaultEncoding = 'o200k_base', checkContextWindow = true } = settings;

  const built = settings.deployments === undefined ? undefined : buildDeployments(settings.deployments, settings.routing);
  const givenPools = settings.pools instanceof ConnectionPools ? settings.pools : undefined;
  const pools = built === undefined ? undefined : (givenPools ?? (settings.pools === undefined ? undefined : createConnectionPools(settings.pools as ConnectionPoolsOptions)));
  if (pools !== undefined && built !== undefined) {
    const router = built.router;
    const byOrigin = new Map<string, string[]>();
    for (const row of router.snapshot()) {
      const origin = new URL(router.deployment(row.id)!.baseURL!).origin;
      byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), row.id]);
    }
    const previous = pools.settings.health.onHealthChange;
    pools.settings.health.onHealthChange = (origin, healthy) => {
      for (const id of byOrigin.get(origin) ?? []) router.setHealthy(id, healthy);
      previous?.(origin, healthy);
    };
  }

  const tracker = new UsageTracker(settings.onUsage, settings.onError);
  const callPath = new CallPath({
    ...(built === undefined
      ? {}
      : {
          route: {
            router: built.router,
            members: built.members,
            contextWindows: built.contextWindows,
            abortError: sdkAbortError,
            sleep: settings.routing?.sleep ?? defaultSleep,
            random: Math.random,
          },
          pricesOf: (id: string) => built.prices.get(id),
        }),
    ...(settings.limits === undefined ? {} : { limiter: settings.limits.limiter, limiterKeys: settings.limits.keys }),
    ...(checkContextWindow ? { contextWindowOf: registryWindow } : {}),
    defaultEncoding,
    onRecord: (record, error) => tracker.report(record, error),
    abortError: sdkAbortError,
  });

  const deploymentClients = new Map<string, OpenAI>();
  const clientFor = (target: CallTarget): OpenAI => {
    let deploymentClient = deploymentClients.get(target.id!);
    if (deploymentClient === undefined) {
      deploymentClient = client.withOptions({
        baseURL: target.baseURL ?? client.baseURL,
        apiKey: target.apiKey ?? client.apiKey,
        maxRetries: 0,
        ...(pools === undefined ? {} : { fetch: pools.fetch }),
      });
      deploymentClients.set(target.id!, deploymentClient);
    }
    return deploymentClient;
  };
  installPostSeam(client, {
    callPath,
    defaultEncoding,
    defaultOutputTokens: settings.limits?.defaultOutputTokens ?? 256,
    clientFor,
  });

  const originalCreate = completions.create as Parameters<typeof createChatCreate>[0];
  Object.defineProperty(completions, 'create', {
    value: createChatCreate(originalCreate, completions),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  const state: WrapperState = { tracker, router: built?.router, pools, ownsPools: pools !== undefined && givenPools === undefined };
  Object.defineProperty(client, wrapped, { value: state, enumerable: false });
  return client;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function stateOf(client: unknown): WrapperState | undefined {
  return typeof client === 'object' && client !== null ? (client as WrappedMarker)[wrapped] : undefined;
}

/** True when `client` was wrapped by {@link wrapOpenAI}. */
export function isWrapped(client: unknown): boolean {
  return stateOf(client) !== undefined;
}

/** The usage totals of a wrapped client, per model, per deployment and in total; `undefined` for an unwrapped one. */
export function getUsageStats(client: unknown): UsageStats | undefined {
  return stateOf(client)?.tracker.stats();
}

/** Usage, router metrics per deployment and pool stats of a wrapped client; `undefined` for an unwrapped one. */
export function getStats(client: unknown): WrapperStats | undefined {
  const state = stateOf(client);
  if (state === undefined) return undefined;
  return { usage: state.tracker.stats(), deployments: state.router?.snapshot() ?? [], pools: state.pools?.stats() };
}

/** Zeroes the usage totals of a wrapped client; does nothing for an unwrapped one. */
export function resetUsageStats(client: unknown): void {
  stateOf(client)?.tracker.reset();
}

/**
 * Closes what the wrapper built for `client`: the connection pools it created (waiting for
 * running requests) and the router's registry entry. Pools passed in `options.pools` stay open.
 */
export async function closeWrapper(client: unknown): Promise<void> {
  const state = stateOf(client);
  if (state === undefined) return;
  state.router?.close();
  if (state.ownsPools) await state.pools?.close();
}
