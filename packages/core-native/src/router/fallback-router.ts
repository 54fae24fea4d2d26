import { CONFIG, LEASE_SCALE, NONE_AVAILABLE, NONE_FITS_CONTEXT, OUTCOME, SNAPSHOT } from './engine.js';
import { DeploymentState, type FailureConfig } from './fallback-deployment.js';
import { SeededRandom } from './rng.js';

interface LeaseRecord {
  readonly deployment: number;
  readonly startMs: number;
  readonly estimatedTokens: number;
}

/** One router in the pure-TS engine; every step mirrors `router.rs` so picks agree draw for draw. */
export class FallbackRouter implements FailureConfig {
  readonly strategy: number;
  readonly cooldownMs: number;
  readonly allowedFails: number;
  readonly failureWindowMs: number;
  private readonly window: number;
  private readonly nearBestBuffer: number;
  private readonly powerOfTwo: boolean;
  private readonly leaseTimeoutMs: number;
  private readonly random: SeededRandom;
  readonly groups = new Map<string, number>();
  private readonly members: number[][] = [];
  readonly tags = new Map<string, number>();
  readonly ids = new Map<string, number>();
  private readonly deployments: DeploymentState[] = [];
  private readonly leases = new Map<number, LeaseRecord>();
  private readonly candidates: number[] = [];
  private leaseSequence = 0;
  private nextSweepMs = 0;

  constructor(config: Float64Array) {
    this.strategy = config[CONFIG.strategy]!;
    this.random = new SeededRandom(config[CONFIG.seed]!);
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
      handle = this.members.length;
      this.groups.set(name, handle);
      this.members.push([]);
    }
    return handle;
  }

  addDeployment(group: number, id: string, spec: Float64Array): number {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    const handle = this.deployments.length;
    this.deployments.push(new DeploymentState(spec, this.window));
    this.ids.set(id, handle);
    this.members[group]!.push(handle);
    return handle;
  }

  hasGroup(group: number): boolean {
    return group >= 0 && group < this.members.length;
  }

  hasDeployment(deployment: number): boolean {
    return deployment >= 0 && deployment < this.deployments.length;
  }

  deploymentState(deployment: number): DeploymentState {
    return this.deployments[deployment]!;
  }

  /** The chosen deployment handle, {@link NONE_AVAILABLE} or {@link NONE_FITS_CONTEXT}. */
  pick(group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number {
    const candidates = this.candidates;
    candidates.length = 0;
    let fitting = 0;
    const members = this.members[group]!;
    for (const handle of members) {
      const deployment = this.deployments[handle]!;
      if (deployment.contextWindow > 0 && requestTokens > deployment.contextWindow) continue;
      fitting += 1;
      if (exclude !== null && exclude.includes(handle)) continue;
      if (deployment.admits(nowMs, requestTokens, tagMask)) candidates.push(handle);
    }
    if (candidates.length === 0) return members.length > 0 && fitting === 0 ? NONE_FITS_CONTEXT : NONE_AVAILABLE;
    if (candidates.length === 1) return candidates[0]!;
    if (this.powerOfTwo) return this.pickOfTwo(nowMs);
    switch (this.strategy) {
      case 1:
        return this.pickLowest((state) => state.inFlight, 0);
      case 2:
        return this.pickLowest((state) => state.latencyScore(stream), this.nearBestBuffer);
      case 3:
        return this.pickLowest((state) => state.costPerToken, 0);
      case 4:
        return this.pickLowest((state) => state.tokensThisMinute(nowMs), 0);
      default:
        return this.pickShuffled();
    }
  }

  private pickShuffled(): number {
    const candidates = this.candidates;
    const states = this.deployments;
    let field: 0 | 1 | 2 | 3 = 3;
    if (candidates.some((handle) => states[handle]!.weight > 0)) field = 0;
    else if (candidates.some((handle) => states[handle]!.rpm > 0)) field = 1;
    else if (candidates.some((handle) => states[handle]!.tpm > 0)) field = 2;
    if (field === 3) return candidates[this.random.nextIndex(candidates.length)]!;
    const share = (handle: number): number => {
      const state = states[handle]!;
      const value = field === 0 ? state.weight : field === 1 ? state.rpm : state.tpm;
      return value > 0 ? value : 0;
    };
    let total = 0;
    for (const handle of candidates) total += share(handle);
    const target = this.random.nextUnit() * total;
    let reached = 0;
    let last = candidates[0]!;
    for (const handle of candidates) {
      const value = share(handle);
      if (value <= 0) continue;
      reached += value;
      last = handle;
      if (target < reached) return handle;
    }
    return last;
  }

  /** Lowest score; candidates within `buffer` (a fraction) of the best share the draw. */
  private pickLowest(score: (state: DeploymentState) => number, buffer: number): number {
    const candidates = this.candidates;
    let best = Infinity;
    for (const handle of candidates) best = Math.min(best, score(this.deployments[handle]!));
    const limit = best * (1 + buffer);
    let ties = 0;
    for (const handle of candidates) if (score(this.deployments[handle]!) <= limit) ties += 1;
    let chosen = ties > 1 ? this.random.nextIndex(ties) : 0;
    for (const handle of candidates) {
      if (score(this.deployments[handle]!) > limit) continue;
      if (chosen === 0) return handle;
      chosen -= 1;
    }
    return candidates[0]!;
  }

  private pickOfTwo(nowMs: number): number {
    const candidates = this.candidates;
    const first = this.random.nextIndex(candidates.length);
    let second = this.random.nextIndex(candidates.length - 1);
    if (second >= first) second += 1;
    const a = candidates[first]!;
    const b = candidates[second]!;
    return this.deployments[b]!.load(nowMs) < this.deployments[a]!.load(nowMs) ? b : a;
  }

  acquire(group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number {
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
    const chosen = this.pick(group, nowMs, requestTokens, tagMask, stream, exclude);
    if (chosen < 0) return chosen;
    this.deployments[chosen]!.begin(nowMs, requestTokens);
    this.leaseSequence += 1;
    const lease = this.leaseSequence * LEASE_SCALE + chosen;
    this.leases.set(lease, { deployment: chosen, startMs: nowMs, estimatedTokens: requestTokens });
    return lease;
  }

  /** Ends a lease once: -1 when unknown or already ended, else the new cooldown end or 0. */
  release(lease: number, nowMs: number, outcome: number, latencyMs: number, firstTokenMs: number, outputTokens: number, totalTokens: number, retryAfterMs: number): number {
    const record = this.leases.get(lease);
    if (record === undefined) return -1;
    this.leases.delete(lease);
    const state = this.deployments[record.deployment]!;
    state.end(record.startMs);
    state.settleTokens(record.startMs, nowMs, record.estimatedTokens, totalTokens);
    if (outcome === OUTCOME.success) {
      state.successes += 1;
      state.recordLatency(latencyMs, outputTokens);
      if (firstTokenMs > 0) state.firstToken.push(firstTokenMs);
      return 0;
    }
    if (outcome === OUTCOME.timeout) state.recordLatency(latencyMs, 0);
    return state.fail(nowMs, outcome, this, retryAfterMs);
  }

  /** Ends leases older than the lease timeout (a holder that died without releasing). */
  private sweep(nowMs: number): void {
    this.nextSweepMs = nowMs + Math.max(1, this.leaseTimeoutMs / 4);
    for (const [lease, record] of this.leases) {
      if (record.startMs + this.leaseTimeoutMs > nowMs) continue;
      this.leases.delete(lease);
      this.deployments[record.deployment]!.end(record.startMs);
    }
  }

  snapshot(nowMs: number): Float64Array {
    const rows = new Float64Array(this.deployments.length * SNAPSHOT.length);
    this.deployments.forEach((state, index) => {
      state.writeSnapshot(rows.subarray(index * SNAPSHOT.length, (index + 1) * SNAPSHOT.length), nowMs);
    });
    return rows;
  }
}
