import { randomInt, randomUUID } from 'node:crypto';
import { invalidArgument, TollgateError } from '../errors.js';
import { BACKEND_ENV } from '../tokenizer/active-backend.js';
import { LEASE_SCALE, NONE_FITS_CONTEXT, SNAPSHOT, type RouterEngine, type RoutingStrategy } from './engine.js';
import { EngineLease, type LeaseOwner } from './engine-lease.js';
import { fallbackRouterEngine } from './fallback-engine.js';
import type { RoutedDeployment, RouterLease } from './lease.js';
import { nativeRouterEngine } from './native-engine.js';
import { packConfig, packSpec, type RouterOptions } from './options.js';
import { RedisRouterState } from './shared-state.js';
import { readSnapshot, type DeploymentMetrics } from './snapshot.js';

/** What a pick must satisfy. */
export interface PickOptions {
  /** Prompt tokens; with `maxOutputTokens` checked against context windows and tpm. @default 0 */
  promptTokens?: number;
  /** Output tokens the request may produce. @default 0 */
  maxOutputTokens?: number;
  /** Tags every candidate must carry. */
  tags?: readonly string[];
  /** A streaming call: `latency_based` ranks by time to first token. @default false */
  stream?: boolean;
  /** Deployment ids to skip. */
  exclude?: Iterable<string>;
}

function tokensOf(options: PickOptions): number {
  return (options.promptTokens ?? 0) + (options.maxOutputTokens ?? 0);
}

/** Why a pick found nothing: every deployment is busy/cooling/filtered, or the prompt fits none. */
export type NoPickReason = 'none_available' | 'context_window';

function chooseEngine(choice: 'native' | 'fallback' | undefined): RouterEngine {
  const wanted = choice ?? process.env[BACKEND_ENV];
  if (wanted === 'fallback') return fallbackRouterEngine;
  const native = nativeRouterEngine();
  if (!(native instanceof Error)) return native;
  if (wanted === 'native') {
    throw new TollgateError('ERR_NATIVE_UNAVAILABLE', `The native router did not load: ${native.message}`, { cause: native });
  }
  return fallbackRouterEngine;
}

/**
 * Routes calls over the deployments of model groups. Build it with {@link createRouter}.
 * State (in-flight counts, metrics, cooldowns) lives in the engine, shared by name.
 */
export class Router {
  readonly name: string;
  readonly strategy: RoutingStrategy;
  readonly engine: RouterEngine;
  readonly options: Readonly<RouterOptions>;
  readonly clock: () => number;
  private readonly handle: number;
  private readonly groups = new Map<string, number>();
  private readonly tagBits = new Map<string, number>();
  private readonly byId = new Map<string, number>();
  private readonly deployments: RoutedDeployment[] = [];
  private readonly jitterSeed: number;
  private readonly shared: RedisRouterState | undefined;
  #closed = false;
  private readonly owner: LeaseOwner;

  constructor(options: RouterOptions) {
    if (!Array.isArray(options?.deployments)) throw invalidArgument('deployments', 'an array', options?.deployments);
    const seed = options.seed ?? randomInt(0, 2 ** 32);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw invalidArgument('seed', 'an integer from 0 to 2^32 - 1', seed);
    const config = packConfig(options, seed);
    this.options = options;
    this.strategy = options.strategy ?? 'simple_shuffle';
    this.name = options.name ?? `router-${randomUUID()}`;
    this.clock = options.clock ?? Date.now;
    this.jitterSeed = (seed ^ 0x9e3779b9) >>> 0;
    this.engine = chooseEngine(options.engine);
    this.handle = this.engine.open(this.name, config);
    options.deployments.forEach((deployment, index) => this.register(deployment, index));
    this.shared =
      options.shared === undefined
        ? undefined
        : new RedisRouterState(
            { name: this.name, engine: this.engine, handle: this.handle, clock: this.clock, deployments: [...this.byId].map(([id, handle]) => [handle, id] as const) },
            options.shared,
          );
    this.owner = { name: this.name, engine: this.engine, handle: this.handle, clock: this.clock, shared: this.shared };
  }

  private register(config: RouterOptions['deployments'][number], index: number): void {
    let mask = 0;
    for (const tag of config.tags ?? []) mask |= 1 << this.tagBit(tag, `deployments[${index}].tags`);
    const spec = packSpec(config, index, mask);
    if (this.byId.has(config.id)) throw invalidArgument(`deployments[${index}].id`, 'unique', config.id);
    const group = this.groupHandle(config.model);
    const handle = this.engine.deployment(this.handle, group, config.id, spec);
    this.byId.set(config.id, handle);
    this.deployments[handle] = Object.freeze({
      id: config.id,
      model: config.model,
      baseURL: config.baseURL,
      apiKey: config.apiKey,
      providerModel: config.providerModel ?? config.model,
      metadata: config.metadata,
    });
  }

  private groupHandle(model: string): number {
    let group = this.groups.get(model);
    if (group === undefined) {
      group = this.engine.group(this.handle, model);
      this.groups.set(model, group);
    }
    return group;
  }

  private tagBit(tag: string, field: string): number {
    let bit = this.tagBits.get(tag);
    if (bit === undefined) {
      bit = this.engine.tag(this.handle, tag);
      if (bit < 0) throw invalidArgument(field, 'one of at most 32 distinct tags per router', tag);
      this.tagBits.set(tag, bit);
    }
    return bit;
  }

  /** Model groups this router knows. */
  get models(): string[] {
    return [...this.groups.keys()];
  }

  /** A seed for `run`'s jitter, derived from the router seed. */
  get jitterSeedValue(): number {
    return this.jitterSeed;
  }

  private groupOf(model: string): number {
    const group = this.groups.get(model);
    if (group === undefined) {
      throw new TollgateError('ERR_UNKNOWN_MODEL', `Expected \`model\` to be a model group of the router, got ${JSON.stringify(model)}.`, {
        field: 'model',
        value: model,
      });
    }
    return group;
  }

  /** The tag mask of `tags`, -1 when one of them is a tag no deployment has. */
  private maskOf(tags: readonly string[] | undefined): number {
    if (tags === undefined) return 0;
    let mask = 0;
    for (const tag of tags) {
      const bit = this.tagBits.get(tag);
      if (bit === undefined) return -1;
      mask |= 1 << bit;
    }
    return mask >>> 0;
  }

  private excludeOf(ids: Iterable<string> | undefined): Uint32Array | null {
    if (ids === undefined) return null;
    const handles: number[] = [];
    for (const id of ids) {
      const handle = this.byId.get(id);
      if (handle !== undefined) handles.push(handle);
    }
    return handles.length > 0 ? Uint32Array.from(handles) : null;
  }

  /**
   * Chooses a deployment for `model` without taking a slot (for inspection and benches).
   * Without options the call allocates nothing: the model resolves through a cached handle and
   * only numbers reach the engine.
   * @returns the deployment, or the reason none was chosen.
   * @throws {TollgateError} `ERR_UNKNOWN_MODEL` when `model` is not a group of this router.
   */
  pick(model: string, options?: PickOptions): RoutedDeployment | NoPickReason {
    const group = this.groupOf(model);
    const mask = options === undefined ? 0 : this.maskOf(options.tags);
    if (mask < 0 || (this.shared !== undefined && this.shared.blocksPicks)) return 'none_available';
    const nowMs = this.clock();
    const chosen =
      options === undefined
        ? this.engine.pick(this.handle, group, nowMs, 0, 0, false, null)
        : this.engine.pick(this.handle, group, nowMs, tokensOf(options), mask, options.stream === true, this.excludeOf(options.exclude));
    if (chosen < 0) return chosen === NONE_FITS_CONTEXT ? 'context_window' : 'none_available';
    return this.deployments[chosen]!;
  }

  /**
   * Chooses a deployment and takes an in-flight slot on it: a lease that must end (`succeed`,
   * `fail` or `release`) exactly once; ending it again does nothing.
   * @throws {TollgateError} `ERR_UNKNOWN_MODEL` when `model` is not a group of this router.
   */
  acquire(model: string, options?: PickOptions): RouterLease | NoPickReason {
    const group = this.groupOf(model);
    const mask = options === undefined ? 0 : this.maskOf(options.tags);
    if (mask < 0 || (this.shared !== undefined && this.shared.blocksPicks)) return 'none_available';
    const startMs = this.clock();
    const tokens = options === undefined ? 0 : tokensOf(options);
    const lease =
      options === undefined
        ? this.engine.acquire(this.handle, group, startMs, 0, 0, false, null)
        : this.engine.acquire(this.handle, group, startMs, tokens, mask, options.stream === true, this.excludeOf(options.exclude));
    if (lease < 0) return lease === NONE_FITS_CONTEXT ? 'context_window' : 'none_available';
    const handle = lease % LEASE_SCALE;
    return new EngineLease(this.owner, this.deployments[handle]!, handle, lease, startMs);
  }

  /**
   * Marks a deployment healthy or not; an unhealthy one is never picked (pools' health checks
   * call this).
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for an unknown id.
   */
  setHealthy(id: string, healthy: boolean): void {
    this.engine.setHealthy(this.handle, this.handleOf(id), healthy);
  }

  /**
   * Stores what the rate limiter still allows for a deployment; picks skip it when a request
   * would not fit. Pass `undefined` for a figure that is unknown (not checked).
   */
  setHeadroom(id: string, headroom: { requests?: number; tokens?: number }): void {
    this.engine.setHeadroom(this.handle, this.handleOf(id), headroom.requests ?? -1, headroom.tokens ?? -1);
  }

  private handleOf(id: string): number {
    const handle = this.byId.get(id);
    if (handle === undefined) throw invalidArgument('id', 'the id of a deployment of this router', id);
    return handle;
  }

  /** The deployment registered as `id`, if any. */
  deployment(id: string): RoutedDeployment | undefined {
    const handle = this.byId.get(id);
    return handle === undefined ? undefined : this.deployments[handle];
  }

  /** Metrics of every deployment of this router, read in one call. */
  snapshot(): DeploymentMetrics[] {
    const now = this.clock();
    const rows = this.engine.snapshot(this.handle, now);
    const result: DeploymentMetrics[] = [];
    for (let handle = 0; handle * SNAPSHOT.length < rows.length; handle += 1) {
      const deployment = this.deployments[handle];
      if (deployment !== undefined) result.push(readSnapshot(deployment, rows, handle, now));
    }
    return result;
  }

  /**
   * With `shared`: syncs with Redis now (sends this router's usage and cooldowns, reads everyone's).
   * Resolves when done and never rejects; without `shared` it resolves at once.
   */
  syncShared(): Promise<void> {
    return this.shared?.sync() ?? Promise.resolve();
  }

  /** With `shared`: true while Redis does not answer (the router routes per `onUnavailable`). */
  get sharedUnavailable(): boolean {
    return this.shared?.isUnavailable ?? false;
  }

  /**
   * Stops syncing with Redis and lets go of the router's name: once every router opened under
   * this name (in every worker thread) is closed, the next one of this name starts fresh; until
   * then a new one joins the shared state. Closing twice counts once.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.shared?.close();
    this.engine.close(this.name);
  }
}

/**
 * Builds a router over `options.deployments`.
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for a bad option (the message names the field);
 *   `ERR_NATIVE_UNAVAILABLE` when `engine: 'native'` and the binary does not load.
 * @example
 * ```ts
 * const router = createRouter({ deployments: [{ id: 'a', model: 'gpt-4o', weight: 2 }, { id: 'b', model: 'gpt-4o' }] });
 * const answer = await runRouted(router, 'gpt-4o', (deployment) => callIt(deployment));
 * ```
 */
export function createRouter(options: RouterOptions): Router {
  return new Router(options);
}
