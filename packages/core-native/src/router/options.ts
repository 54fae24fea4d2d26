import { invalidArgument } from '../errors.js';
import { CONFIG, SPEC, STRATEGIES, type RoutingStrategy } from './engine.js';
import type { SharedRouterStateOptions } from './shared-state.js';

/** One deployment of a model: an endpoint, a key and its limits. */
export interface DeploymentConfig {
  /** Unique within the router, e.g. `'gpt-4o@eastus'`; events and metrics name it. */
  id: string;
  /** The model group this deployment serves, e.g. `'gpt-4o'`. */
  model: string;
  /** Endpoint base URL, e.g. `'https://eastus.example.com/v1'`. */
  baseURL?: string;
  /** API key for this endpoint; never appears in events, errors or snapshots. */
  apiKey?: string;
  /** Model id sent to the provider. @default `model` */
  providerModel?: string;
  /** Share of `simple_shuffle` traffic. @default none (then rpm, then tpm, then uniform) */
  weight?: number;
  /** Requests per minute this deployment accepts; the router keeps under it. @default no limit */
  rpm?: number;
  /** Tokens (prompt + max output) per minute this deployment accepts. @default no limit */
  tpm?: number;
  /** Most calls in flight at once. @default no limit */
  maxInFlight?: number;
  /** USD per input token, for `cost_based`. @default unknown (ranked last) */
  inputCostPerToken?: number;
  /** USD per output token, for `cost_based`. @default unknown (ranked last) */
  outputCostPerToken?: number;
  /** Context window in tokens; requests whose prompt + max output exceed it skip this deployment. */
  contextWindow?: number;
  /** Tags a request can require, e.g. `['eu', 'premium']` (at most 32 per router). */
  tags?: string[];
  /** Free data handed back with the deployment; never read by the router. */
  metadata?: Readonly<Record<string, unknown>>;
}

/** Settings of {@link createRouter}. */
export interface RouterOptions {
  /** Deployments, grouped by `model`. */
  deployments: readonly DeploymentConfig[];
  /**
   * Registry name. Routers opened with the same name in one process share state (every worker
   * thread, on the native engine); the first opener's settings win. @default a fresh name
   */
  name?: string;
  /** @default 'simple_shuffle' */
  strategy?: RoutingStrategy;
  /**
   * Seed of the random draws (ties, shuffles, jitter). Each model group draws from its own
   * stream derived from it (`seed + groupIndex * 0x9e3779b9`, groups numbered in order of first
   * appearance in `deployments`), so picks on one model never shift another's draws. @default random
   */
  seed?: number;
  /** Cooldown after failures, in ms (a `Retry-After` replaces it when given). @default 5000 */
  cooldownMs?: number;
  /** Failures tolerated within `failureWindowMs` before a cooldown; a 429 cools at once. @default 3 */
  allowedFails?: number;
  /** Window in which failures are counted, in ms. @default 60000 */
  failureWindowMs?: number;
  /** Samples kept per deployment for latency, TTFT and tokens per second. @default 32 */
  latencyWindow?: number;
  /** `latency_based`: fraction above the best latency that still shares traffic. @default 0.1 */
  nearBestBuffer?: number;
  /** Sample two candidates, keep the less loaded (slow calls in flight weigh more). @default false */
  powerOfTwoChoices?: boolean;
  /** A lease held longer than this is ended by the router (its holder died), in ms. @default 600000 */
  leaseTimeoutMs?: number;
  /** Milliseconds clock; inject one for tests. Must be comparable across threads sharing a router. @default Date.now */
  clock?: () => number;
  /**
   * Share cooldowns and per-deployment rpm/tpm usage with routers in other processes through
   * Redis (same `prefix` and deployment ids). Picks read a local mirror synced every
   * `syncIntervalMs`; see {@link SharedRouterStateOptions} for the staleness bound. Usage is
   * reported from the router's own counts, each call once: worker threads that join one native
   * router by name may each pass `shared`, or one of them may for all. @default not shared
   */
  shared?: SharedRouterStateOptions;
  /** Engine; `TOLLGATE_BACKEND` decides when unset (native when it loads). */
  engine?: 'native' | 'fallback';
  /** `run`: attempts after the first, per model group. @default 2 */
  retries?: number;
  /** `run`: first backoff in ms, doubled each retry, with jitter in [50%, 100%]. @default 100 */
  backoffBaseMs?: number;
  /** `run`: largest backoff in ms. @default 10000 */
  backoffMaxMs?: number;
  /** `run`: longest wait for a `Retry-After` when no other deployment is left, in ms. @default 30000 */
  maxRetryAfterWaitMs?: number;
  /** `run`: ordered fallback model groups per model, e.g. `{ 'gpt-4o': ['gpt-4o-mini'] }`. */
  fallbacks?: Readonly<Record<string, readonly string[]>>;
  /** `run`: groups to use when the prompt is too long for a model's deployments. */
  contextWindowFallbacks?: Readonly<Record<string, readonly string[]>>;
  /** `run`: groups to use when a model refuses on content policy. */
  contentPolicyFallbacks?: Readonly<Record<string, readonly string[]>>;
  /** `run`: how to wait; inject for tests. @default a timer that an abort cuts short */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function nonNegative(field: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value));
  if (!ok) throw invalidArgument(field, integer ? 'a non-negative integer' : 'a non-negative finite number', value);
  return value;
}

/** Validates the router-wide settings and packs them for the engine. */
export function packConfig(options: RouterOptions, seed: number): Float64Array {
  const strategy = options.strategy ?? 'simple_shuffle';
  if (!STRATEGIES.includes(strategy)) throw invalidArgument('strategy', `one of ${STRATEGIES.join(', ')}`, strategy);
  const config = new Float64Array(CONFIG.length);
  config[CONFIG.strategy] = STRATEGIES.indexOf(strategy);
  config[CONFIG.seed] = seed;
  config[CONFIG.cooldownMs] = nonNegative('cooldownMs', options.cooldownMs, 5000);
  config[CONFIG.allowedFails] = nonNegative('allowedFails', options.allowedFails, 3, true);
  config[CONFIG.failureWindowMs] = nonNegative('failureWindowMs', options.failureWindowMs, 60_000);
  const window = nonNegative('latencyWindow', options.latencyWindow, 32, true);
  if (window < 1 || window > 4096) throw invalidArgument('latencyWindow', 'an integer from 1 to 4096', window);
  config[CONFIG.latencyWindow] = window;
  config[CONFIG.nearBestBuffer] = nonNegative('nearBestBuffer', options.nearBestBuffer, 0.1);
  config[CONFIG.powerOfTwo] = options.powerOfTwoChoices === true ? 1 : 0;
  config[CONFIG.leaseTimeoutMs] = nonNegative('leaseTimeoutMs', options.leaseTimeoutMs, 600_000);
  return config;
}

/** Validates a deployment and packs its numbers; `tagMask` comes from the router's tag table. */
export function packSpec(deployment: DeploymentConfig, index: number, tagMask: number): Float64Array {
  const at = `deployments[${index}]`;
  if (typeof deployment.id !== 'string' || deployment.id === '') throw invalidArgument(`${at}.id`, 'a non-empty string', deployment.id);
  if (typeof deployment.model !== 'string' || deployment.model === '')
    throw invalidArgument(`${at}.model`, 'a non-empty string', deployment.model);
  const spec = new Float64Array(SPEC.length);
  spec[SPEC.weight] = nonNegative(`${at}.weight`, deployment.weight, 0);
  spec[SPEC.rpm] = nonNegative(`${at}.rpm`, deployment.rpm, 0);
  spec[SPEC.tpm] = nonNegative(`${at}.tpm`, deployment.tpm, 0);
  spec[SPEC.maxInFlight] = nonNegative(`${at}.maxInFlight`, deployment.maxInFlight, 0, true);
  spec[SPEC.inputCostPerToken] = nonNegative(`${at}.inputCostPerToken`, deployment.inputCostPerToken, -1);
  spec[SPEC.outputCostPerToken] = nonNegative(`${at}.outputCostPerToken`, deployment.outputCostPerToken, -1);
  spec[SPEC.contextWindow] = nonNegative(`${at}.contextWindow`, deployment.contextWindow, 0, true);
  spec[SPEC.tagMask] = tagMask >>> 0;
  return spec;
}
