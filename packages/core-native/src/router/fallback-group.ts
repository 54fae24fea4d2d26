import { LEASE_SCALE, NONE_AVAILABLE, NONE_FITS_CONTEXT, OUTCOME } from './engine.js';
import { DeploymentState, MINUTE_MS, type FailureConfig } from './fallback-deployment.js';
import { SeededRandom } from './rng.js';

/** Added to the router seed once per group handle (wrapping), as `GROUP_SEED_STEP` in `group.rs`. */
export const GROUP_SEED_STEP = 0x9e3779b9;

interface LeaseRecord {
  readonly deployment: number;
  readonly startMs: number;
  readonly estimatedTokens: number;
}

/** The settings of a router that its groups read. */
export interface GroupConfig extends FailureConfig {
  readonly strategy: number;
  readonly nearBestBuffer: number;
  readonly powerOfTwo: boolean;
  readonly leaseTimeoutMs: number;
}

/**
 * One model group in the pure-TS engine, as `group.rs`: its own random stream (seeded
 * `seed + handle * GROUP_SEED_STEP`), lease sequence, lease table and sweep time, so both engines
 * draw alike per group however calls on different groups interleave.
 */
export class FallbackGroup {
  private readonly random: SeededRandom;
  /** Router-wide handles of the group's deployments, in registration order. */
  readonly members: number[] = [];
  private readonly leases = new Map<number, LeaseRecord>();
  private readonly candidates: number[] = [];
  /** Per candidate of the current pick: running weight, rpm and tpm totals, or the score in [0]. */
  private readonly sums: [number[], number[], number[]] = [[], [], []];
  private leaseSequence = 0;
  private nextSweepMs = 0;

  constructor(
    seed: number,
    handle: number,
    private readonly config: GroupConfig,
    private readonly deployments: readonly DeploymentState[],
  ) {
    this.random = new SeededRandom((seed + Math.imul(handle, GROUP_SEED_STEP)) >>> 0);
  }

  /**
   * The chosen deployment handle, {@link NONE_AVAILABLE} or {@link NONE_FITS_CONTEXT}. One pass
   * filters and records each candidate's running weight/rpm/tpm totals or its score, as `group.rs`.
   */
  pick(nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number {
    const candidates = this.candidates;
    const first = this.sums[0];
    const second = this.sums[1];
    const third = this.sums[2];
    candidates.length = 0;
    first.length = 0;
    second.length = 0;
    third.length = 0;
    const strategy = this.config.powerOfTwo ? -1 : this.config.strategy;
    let weights = 0;
    let rpms = 0;
    let tpms = 0;
    let best = Infinity;
    let atBest = 0;
    let fitting = 0;
    const members = this.members;
    const minute = Math.floor(nowMs / MINUTE_MS);
    for (let index = 0; index < members.length; index += 1) {
      const handle = members[index]!;
      const deployment = this.deployments[handle]!;
      if (deployment.contextWindow > 0 && requestTokens > deployment.contextWindow) continue;
      fitting += 1;
      if (exclude !== null && exclude.includes(handle)) continue;
      if (!deployment.admits(nowMs, minute, requestTokens, tagMask)) continue;
      candidates.push(handle);
      if (strategy === 0) {
        first.push((weights += deployment.weight));
        second.push((rpms += deployment.rpm));
        third.push((tpms += deployment.tpm));
        continue;
      }
      if (strategy === -1) continue;
      const score =
        strategy === 1 ? deployment.inFlight : strategy === 2 ? deployment.latencyScore(stream) : strategy === 3 ? deployment.costPerToken : deployment.tokensIn(minute);
      first.push(score);
      // NaN scores never count (as Rust's `f64::min` ignores them).
      if (score < best) {
        best = score;
        atBest = 1;
      } else if (score === best) atBest += 1;
    }
    if (candidates.length === 0) return members.length > 0 && fitting === 0 ? NONE_FITS_CONTEXT : NONE_AVAILABLE;
    if (candidates.length === 1) return candidates[0]!;
    if (strategy === -1) return this.pickOfTwo(nowMs);
    if (strategy === 0) return this.pickShuffled(weights > 0 ? 0 : rpms > 0 ? 1 : tpms > 0 ? 2 : 3, weights > 0 ? weights : rpms > 0 ? rpms : tpms);
    return strategy === 2 ? this.pickLowest(best, this.config.nearBestBuffer, -1) : this.pickLowest(best, 0, atBest);
  }

  /** `field`: 0 weight, 1 rpm, 2 tpm, 3 uniform; the first running total above the draw wins. */
  private pickShuffled(field: 0 | 1 | 2 | 3, total: number): number {
    const candidates = this.candidates;
    if (field === 3) return candidates[this.random.nextIndex(candidates.length)]!;
    const target = this.random.nextUnit() * total;
    const sums = this.sums[field];
    let low = 0;
    let high = sums.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sums[middle]! <= target) low = middle + 1;
      else high = middle;
    }
    if (low < candidates.length) return candidates[low]!;
    for (let index = candidates.length - 1; index > 0; index -= 1) {
      const state = this.deployments[candidates[index]!]!;
      if ((field === 0 ? state.weight : field === 1 ? state.rpm : state.tpm) > 0) return candidates[index]!;
    }
    return candidates[0]!;
  }

  /**
   * Lowest score (`sums[0]`, lowest `best`); candidates within `buffer` (a fraction) of the best
   * share the draw. `counted` is how many are within it when the filter pass counted them, else -1.
   */
  private pickLowest(best: number, buffer: number, counted: number): number {
    const scores = this.sums[0];
    const limit = best * (1 + buffer);
    let ties = counted;
    if (ties < 0) {
      ties = 0;
      for (const score of scores) if (score <= limit) ties += 1;
    }
    let chosen = ties > 1 ? this.random.nextIndex(ties) : 0;
    for (let index = 0; index < scores.length; index += 1) {
      if (scores[index]! > limit) continue;
      if (chosen === 0) return this.candidates[index]!;
      chosen -= 1;
    }
    return this.candidates[0]!;
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

  /** Picks and takes an in-flight slot: a lease number (sequence counted per group) or a pick code. */
  acquire(nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number {
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
    const chosen = this.pick(nowMs, requestTokens, tagMask, stream, exclude);
    if (chosen < 0) return chosen;
    this.deployments[chosen]!.begin(nowMs, requestTokens);
    this.leaseSequence += 1;
    const lease = this.leaseSequence * LEASE_SCALE + chosen;
    this.leases.set(lease, { deployment: chosen, startMs: nowMs, estimatedTokens: requestTokens });
    return lease;
  }

  /** Ends one of this group's leases once: -1 when unknown or already ended, else the new cooldown end or 0. */
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
    return state.fail(nowMs, outcome, this.config, retryAfterMs);
  }

  /** Ends this group's leases older than the lease timeout (a holder that died without releasing). */
  private sweep(nowMs: number): void {
    const timeoutMs = this.config.leaseTimeoutMs;
    this.nextSweepMs = nowMs + Math.max(1, timeoutMs / 4);
    for (const [lease, record] of this.leases) {
      if (record.startMs + timeoutMs > nowMs) continue;
      this.leases.delete(lease);
      this.deployments[record.deployment]!.end(record.startMs);
    }
  }
}
