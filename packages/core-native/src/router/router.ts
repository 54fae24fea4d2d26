import { randomInt, randomUUID } from 'node:crypto';
import { invalidArgument, TollgateError } from '../errors.js';
import { BACKEND_ENV } from '../tokenizer/active-backend.js';
import { LEASE_SCALE, NONE_FITS_CONTEXT, OUTCOME, SNAPSHOT, type RouterEngine, type RoutingStrategy } from './engine.js';
import { publish } from './events.js';
import { fallbackRouterEngine } from './fallback-engine.js';
import { classifyFailure, outcomeOf, type ClassifiedFailure } from './failure.js';
import type { LeaseUsage, RoutedDeployment, RouterLease } from './lease.js';
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

  private request(model: string, options: PickOptions): [number, number, number, boolean, Uint32Array | null] {
    const group = this.groupOf(model);
    const tokens = (options.promptTokens ?? 0) + (options.maxOutputTokens ?? 0);
    let mask = 0;
    for (const tag of options.tags ?? []) {
      const bit = this.tagBits.get(tag);
      if (bit === undefined) return [group, tokens, -1, options.stream === true, null];
      mask |= 1 << bit;
    }
    let exclude: Uint32Array | null = null;
    if (options.exclude !== undefined) {
      const handles = [...options.exclude].map((id) => this.byId.get(id)).filter((h): h is number => h !== undefined);
      if (handles.length > 0) exclude = Uint32Array.from(handles);
    }
    return [group, tokens, mask >>> 0, options.stream === true, exclude];
  }

  /**
   * Chooses a deployment for `model` without taking a slot (for inspection and benches).
   * @returns the deployment, or the reason none was chosen.
   * @throws {TollgateError} `ERR_UNKNOWN_MODEL` when `model` is not a group of this router.
   */
  pick(model: string, options: PickOptions = {}): RoutedDeployment | NoPickReason {
    const [group, tokens, mask, stream, exclude] = this.request(model, options);
    if (mask < 0 || this.shared?.blocksPicks === true) return 'none_available';
    const chosen = this.engine.pick(this.handle, group, this.clock(), tokens, mask, stream, exclude);
    if (chosen < 0) return chosen === NONE_FITS_CONTEXT ? 'context_window' : 'none_available';
    return this.deployments[chosen]!;
  }

  /**
   * Chooses a deployment and takes an in-flight slot on it: a lease that must end (`succeed`,
   * `fail` or `release`) exactly once; ending it again does nothing.
   * @throws {TollgateError} `ERR_UNKNOWN_MODEL` when `model` is not a group of this router.
   */
  acquire(model: string, options: PickOptions = {}): RouterLease | NoPickReason {
    const [group, tokens, mask, stream, exclude] = this.request(model, options);
    if (mask < 0 || this.shared?.blocksPicks === true) return 'none_available';
    const startMs = this.clock();
    const lease = this.engine.acquire(this.handle, group, startMs, tokens, mask, stream, exclude);
    if (lease < 0) return lease === NONE_FITS_CONTEXT ? 'context_window' : 'none_available';
    this.shared?.noteAcquire(lease % LEASE_SCALE, startMs, tokens);
    return this.lease(lease, startMs, tokens);
  }

  private lease(lease: number, startMs: number, tokens: number): RouterLease {
    const handle = lease % LEASE_SCALE;
    const deployment = this.deployments[handle]!;
    let ended = false;
    let firstTokenMs = 0;
    const end = (outcome: number, output = 0, total = -1, retryAfterMs = 0): number => {
      if (ended) return 0;
      ended = true;
      const now = this.clock();
      this.shared?.noteSettle(handle, startMs, now, tokens, total);
      return this.engine.release(this.handle, lease, now, outcome, now - startMs, firstTokenMs, output, total, retryAfterMs);
    };
    return {
      deployment,
      get ended() {
        return ended;
      },
      markFirstToken: () => {
        if (firstTokenMs === 0 && !ended) firstTokenMs = Math.max(Number.EPSILON, this.clock() - startMs);
      },
      succeed: (usage: LeaseUsage = {}) => void end(OUTCOME.success, usage.outputTokens ?? 0, usage.totalTokens ?? -1),
      fail: (error: unknown): ClassifiedFailure => {
        const failure = classifyFailure(error, this.clock());
        if (ended) return failure;
        const untilMs = end(outcomeOf(failure.kind), 0, -1, failure.retryAfterMs ?? 0);
        publish('failure', () => ({
          router: this.name,
          model: deployment.model,
          deployment: deployment.id,
          kind: failure.kind,
          status: failure.status,
          retryAfterMs: failure.retryAfterMs,
        }));
        if (untilMs > 0) {
          this.shared?.noteCooldown(handle, untilMs);
          publish('cooldown', () => ({ router: this.name, deployment: deployment.id, untilMs }));
        }
        return failure;
      },
      release: () => void end(OUTCOME.aborted),
    };
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
   * Forgets the router's name in the registry, so the next router of this name starts fresh, and
   * stops syncing with Redis.
   */
  close(): void {
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
