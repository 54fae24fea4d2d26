/**
 * The numeric interface that both router engines implement: the Rust core (shared by every
 * worker thread of a process) and the pure-TS fallback (one per thread). Strings cross only when
 * something is registered; hot calls take and return numbers.
 */

/** Strategy codes, in the order the engines number them. */
export const STRATEGIES = [
  'simple_shuffle',
  'least_busy',
  'latency_based',
  'cost_based',
  'usage_based',
] as const;

/** How a router chooses among the eligible deployments of a model group. */
export type RoutingStrategy = (typeof STRATEGIES)[number];

/** Outcome codes passed to `release`. */
export const OUTCOME = {
  success: 0,
  rate_limit: 1,
  server: 2,
  timeout: 3,
  connection: 4,
  client: 5,
  aborted: 6,
} as const;

/** Layout of the router configuration array. */
export const CONFIG = {
  strategy: 0,
  seed: 1,
  cooldownMs: 2,
  allowedFails: 3,
  failureWindowMs: 4,
  latencyWindow: 5,
  nearBestBuffer: 6,
  powerOfTwo: 7,
  leaseTimeoutMs: 8,
  length: 9,
} as const;

/** Layout of a deployment specification array; prices below 0 mean unknown, 0 limits mean none. */
export const SPEC = {
  weight: 0,
  rpm: 1,
  tpm: 2,
  maxInFlight: 3,
  inputCostPerToken: 4,
  outputCostPerToken: 5,
  contextWindow: 6,
  tagMask: 7,
  length: 8,
} as const;

/** Layout of one deployment's row in a snapshot array. */
export const SNAPSHOT = {
  inFlight: 0,
  calls: 1,
  successes: 2,
  errors: 3,
  coolingUntilMs: 4,
  latencyP50Ms: 5,
  latencyP95Ms: 6,
  latencyP99Ms: 7,
  latencyMeanMs: 8,
  timeToFirstTokenMeanMs: 9,
  tokensPerSecond: 10,
  requestsThisMinute: 11,
  tokensThisMinute: 12,
  healthy: 13,
  length: 14,
} as const;

/** `pick`/`acquire` result when no deployment is eligible. */
export const NONE_AVAILABLE = -1;
/** `pick`/`acquire` result when no deployment of the group has a large enough context window. */
export const NONE_FITS_CONTEXT = -2;
/** A lease number packs `sequence * LEASE_SCALE + deployment`. */
export const LEASE_SCALE = 2 ** 20;
/** Most deployments one router holds (handles must fit under {@link LEASE_SCALE}). */
export const MAX_DEPLOYMENTS = LEASE_SCALE - 1;
/** Most distinct tags one router knows (they form a 32-bit mask). */
export const MAX_TAGS = 32;

/** The numeric router engine; see `router-engine` docs in the Rust crate for the algorithms. */
export interface RouterEngine {
  readonly kind: 'native' | 'fallback';
  /** Opens (or joins, when the name exists) a router; the first opener's config wins. */
  open(name: string, config: Float64Array): number;
  /**
   * Closes one `open` of the name. The last close forgets it, so the next `open` builds a fresh
   * router (handles already held keep working); until then, a later `open` joins the router.
   */
  close(name: string): void;
  /** Handle of a model group, created on first use. */
  group(router: number, name: string): number;
  /** Bit index of a tag, created on first use; -1 when the router already has {@link MAX_TAGS}. */
  tag(router: number, name: string): number;
  /** Registers a deployment (or returns the handle of the one with this id). */
  deployment(router: number, group: number, id: string, spec: Float64Array): number;
  pick(router: number, group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number;
  acquire(router: number, group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number;
  release(router: number, lease: number, nowMs: number, outcome: number, latencyMs: number, timeToFirstTokenMs: number, outputTokens: number, totalTokens: number, retryAfterMs: number): number;
  setHealthy(router: number, deployment: number, healthy: boolean): void;
  setHeadroom(router: number, deployment: number, requests: number, tokens: number): void;
  snapshot(router: number, nowMs: number): Float64Array;
  /** Extends a deployment's cooldown to `untilMs` (never shortens it); the new end when it grew, else 0. */
  coolUntil(router: number, deployment: number, untilMs: number): number;
  /** Stores other processes' usage of a deployment in `minute` (`floor(ms / 60000)`), replacing the last. */
  setSharedUsage(router: number, deployment: number, minute: number, requests: number, tokens: number): void;
  /**
   * A report of this process's usage of a deployment for other processes: `[number, requests and
   * tokens of minute, requests and tokens of minute - 1]`. Totals, not increments, numbered per
   * deployment (shared by the worker threads joined to a native router).
   */
  report(router: number, deployment: number, minute: number): Float64Array;
  /** A name for this process's reports of the router, different in every process. */
  instance(router: number): string;
}
