import { randomUUID } from 'node:crypto';
import { CONFIG, LEASE_SCALE, SNAPSHOT } from './engine.js';
import { DeploymentState } from './fallback-deployment.js';
import { FallbackGroup, type GroupConfig } from './fallback-group.js';

/**
 * One router in the pure-TS engine; every step mirrors `router.rs` and `group.rs` so picks agree
 * draw for draw. Registration lives here; picks and leases live in each {@link FallbackGroup}.
 */
export class FallbackRouter implements GroupConfig {
  readonly strategy: number;
  readonly cooldownMs: number;
  readonly allowedFails: number;
  readonly failureWindowMs: number;
  readonly nearBestBuffer: number;
  readonly powerOfTwo: boolean;
  readonly leaseTimeoutMs: number;
  private readonly seed: number;
  private readonly window: number;
  /** Names this router's reports in Redis: different for every router of every thread and process. */
  readonly instance = randomUUID();
  readonly groups = new Map<string, number>();
  private readonly byGroup: FallbackGroup[] = [];
  readonly tags = new Map<string, number>();
  readonly ids = new Map<string, number>();
  private readonly deployments: DeploymentState[] = [];
  /** Group handle of each deployment, by deployment handle. */
  private readonly groupOf: number[] = [];

  constructor(config: Float64Array) {
    this.strategy = config[CONFIG.strategy]!;
    this.seed = config[CONFIG.seed]! >>> 0;
    this.cooldownMs = config[CONFIG.cooldownMs]!;
    this.allowedFails = config[CONFIG.allowedFails]!;
    this.failureWindowMs = config[CONFIG.failureWindowMs]!;
    this.window = Math.max(1, config[CONFIG.latencyWindow]!);
    this.nearBestBuffer = config[CONFIG.nearBestBuffer]!;
    this.powerOfTwo = config[CONFIG.powerOfTwo]! !== 0;
    this.leaseTimeoutMs = config[CONFIG.leaseTimeoutMs]!;
  }

  group(name: string): number {
    let handle = this.groups.get(name);
    if (handle === undefined) {
      handle = this.byGroup.length;
      this.groups.set(name, handle);
      this.byGroup.push(new FallbackGroup(this.seed, handle, this, this.deployments));
    }
    return handle;
  }

  addDeployment(group: number, id: string, spec: Float64Array): number {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    const handle = this.deployments.length;
    this.deployments.push(new DeploymentState(spec, this.window));
    this.groupOf.push(group);
    this.ids.set(id, handle);
    this.byGroup[group]!.members.push(handle);
    return handle;
  }

  hasGroup(group: number): boolean {
    return group >= 0 && group < this.byGroup.length;
  }

  hasDeployment(deployment: number): boolean {
    return deployment >= 0 && deployment < this.deployments.length;
  }

  deploymentState(deployment: number): DeploymentState {
    return this.deployments[deployment]!;
  }

  pick(group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number {
    return this.byGroup[group]!.pick(nowMs, requestTokens, tagMask, stream, exclude);
  }

  acquire(group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number {
    return this.byGroup[group]!.acquire(nowMs, requestTokens, tagMask, stream, exclude);
  }

  /** Ends a lease once: -1 when unknown or already ended, else the new cooldown end or 0. */
  release(lease: number, nowMs: number, outcome: number, latencyMs: number, firstTokenMs: number, outputTokens: number, totalTokens: number, retryAfterMs: number): number {
    if (!(lease >= 0)) return -1;
    const group = this.groupOf[Math.trunc(lease) % LEASE_SCALE];
    if (group === undefined) return -1;
    return this.byGroup[group]!.release(lease, nowMs, outcome, latencyMs, firstTokenMs, outputTokens, totalTokens, retryAfterMs);
  }

  snapshot(nowMs: number): Float64Array {
    const rows = new Float64Array(this.deployments.length * SNAPSHOT.length);
    this.deployments.forEach((state, index) => {
      state.writeSnapshot(rows.subarray(index * SNAPSHOT.length, (index + 1) * SNAPSHOT.length), nowMs);
    });
    return rows;
  }
}
