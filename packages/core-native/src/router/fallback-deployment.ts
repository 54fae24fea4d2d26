import { OUTCOME, SNAPSHOT, SPEC } from './engine.js';

/** Length of a usage window (rpm/tpm), in ms. */
export const MINUTE_MS = 60_000;

/** A fixed-size ring of samples with a running sum (evictions subtract before the new value adds). */
class SampleWindow {
  readonly values: Float64Array;
  count = 0;
  private next = 0;
  sum = 0;

  constructor(size: number) {
    this.values = new Float64Array(size);
  }

  /** Adds `value`, returning the value it evicted (0 while the ring fills). */
  push(value: number): number {
    let evicted = 0;
    if (this.count === this.values.length) {
      evicted = this.values[this.next]!;
      this.sum -= evicted;
    } else {
      this.count += 1;
    }
    this.sum += value;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    return evicted;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}

/** Nearest-rank percentile of `sorted` (ascending), 0 when empty. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1]!;
}

/** One deployment's specification and live state in the pure-TS engine (mirrors `deployment.rs`). */
export class DeploymentState {
  readonly weight: number;
  readonly rpm: number;
  readonly tpm: number;
  readonly maxInFlight: number;
  readonly costPerToken: number;
  readonly contextWindow: number;
  readonly tagMask: number;
  healthy = true;
  headroomRequests = -1;
  headroomTokens = -1;
  inFlight = 0;
  startSum = 0;
  calls = 0;
  successes = 0;
  errors = 0;
  coolingUntilMs = 0;
  private readonly failures: number[] = [];
  readonly latency: SampleWindow;
  readonly msPerToken: SampleWindow;
  readonly tokens: SampleWindow;
  readonly firstToken: SampleWindow;
  private usageMinute = -1;
  private usageRequests = 0;
  private usageTokens = 0;
  private sharedMinute = -1;
  private sharedRequests = 0;
  private sharedTokens = 0;
  /** Reports of own usage made so far, and the final usage of the last minute that ended. */
  private reportNumber = 0;
  private endedMinute = -1;
  private endedRequests = 0;
  private endedTokens = 0;

  constructor(spec: Float64Array, window: number) {
    this.weight = spec[SPEC.weight]!;
    this.rpm = spec[SPEC.rpm]!;
    this.tpm = spec[SPEC.tpm]!;
    this.maxInFlight = spec[SPEC.maxInFlight]!;
    const input = spec[SPEC.inputCostPerToken]!;
    const output = spec[SPEC.outputCostPerToken]!;
    this.costPerToken = input < 0 || output < 0 ? Infinity : input + output;
    this.contextWindow = spec[SPEC.contextWindow]!;
    this.tagMask = spec[SPEC.tagMask]! >>> 0;
    this.latency = new SampleWindow(window);
    this.msPerToken = new SampleWindow(window);
    this.tokens = new SampleWindow(window);
    this.firstToken = new SampleWindow(window);
  }

  /** Requests counted in `minute` (`floor(ms / 60000)`): this router's and other processes'. */
  requestsIn(minute: number): number {
    return (this.usageMinute === minute ? this.usageRequests : 0) + (this.sharedMinute === minute ? this.sharedRequests : 0);
  }

  /** Tokens counted in `minute` (`floor(ms / 60000)`): this router's and other processes'. */
  tokensIn(minute: number): number {
    return (this.usageMinute === minute ? this.usageTokens : 0) + (this.sharedMinute === minute ? this.sharedTokens : 0);
  }

  /** Stores other processes' usage in `minute` (replacing what was stored). */
  setSharedUsage(minute: number, requests: number, tokens: number): void {
    this.sharedMinute = minute;
    this.sharedRequests = Math.max(0, requests);
    this.sharedTokens = Math.max(0, tokens);
  }

  /** As the native `report`: `[number, requests and tokens of minute, of minute - 1]`. */
  report(minute: number): Float64Array {
    const totalsOf = (wanted: number): [number, number] =>
      this.usageMinute === wanted ? [this.usageRequests, this.usageTokens] : this.endedMinute === wanted ? [this.endedRequests, this.endedTokens] : [0, 0];
    this.reportNumber += 1;
    return Float64Array.of(this.reportNumber, ...totalsOf(minute), ...totalsOf(minute - 1));
  }

  /** Extends the cooldown to `untilMs`; returns it when it grew, else 0 (never shortens). */
  coolUntil(untilMs: number): number {
    if (!(untilMs > this.coolingUntilMs)) return 0;
    this.coolingUntilMs = untilMs;
    return untilMs;
  }

  /**
   * True when every filter except the context window lets this deployment take `requestTokens`;
   * `minute` is `floor(nowMs / 60000)`.
   */
  admits(nowMs: number, minute: number, requestTokens: number, tagMask: number): boolean {
    if (!this.healthy || this.coolingUntilMs > nowMs) return false;
    if ((this.tagMask & tagMask) >>> 0 !== tagMask) return false;
    if (this.maxInFlight > 0 && this.inFlight >= this.maxInFlight) return false;
    if (this.rpm > 0 && this.requestsIn(minute) + 1 > this.rpm) return false;
    if (this.tpm > 0 && this.tokensIn(minute) + requestTokens > this.tpm) return false;
    if (this.headroomRequests >= 0 && this.headroomRequests < 1) return false;
    return !(this.headroomTokens >= 0 && this.headroomTokens < requestTokens);
  }

  /** Latency score for `latency_based`: mean TTFT for streams when known, else ms per output token. */
  latencyScore(stream: boolean): number {
    if (stream && this.firstToken.count > 0) return this.firstToken.mean();
    return this.msPerToken.mean();
  }

  /** Load for power-of-two choices: calls in flight, plus how many mean latencies they have run. */
  load(nowMs: number): number {
    const mean = this.latency.count === 0 ? 1 : Math.max(1, this.latency.mean());
    const runningMs = this.inFlight * nowMs - this.startSum;
    return this.inFlight + runningMs / mean;
  }

  begin(nowMs: number, requestTokens: number): void {
    this.inFlight += 1;
    this.startSum += nowMs;
    this.calls += 1;
    const minute = Math.floor(nowMs / MINUTE_MS);
    if (this.usageMinute !== minute) {
      if (this.usageMinute >= 0) [this.endedMinute, this.endedRequests, this.endedTokens] = [this.usageMinute, this.usageRequests, this.usageTokens];
      this.usageMinute = minute;
      this.usageRequests = 0;
      this.usageTokens = 0;
    }
    this.usageRequests += 1;
    this.usageTokens += requestTokens;
  }

  /** Frees one in-flight slot taken at `startMs` (never below zero). */
  end(startMs: number): void {
    if (this.inFlight === 0) return;
    this.inFlight -= 1;
    this.startSum -= startMs;
    if (this.inFlight === 0) this.startSum = 0;
  }

  /** Replaces the token estimate of a call started at `startMs` by its real total. */
  settleTokens(startMs: number, nowMs: number, estimated: number, total: number): void {
    if (total < 0 || Math.floor(startMs / MINUTE_MS) !== Math.floor(nowMs / MINUTE_MS)) return;
    if (this.usageMinute !== Math.floor(nowMs / MINUTE_MS)) return;
    this.usageTokens = Math.max(0, this.usageTokens + total - estimated);
  }

  recordLatency(latencyMs: number, outputTokens: number): void {
    this.latency.push(latencyMs);
    this.msPerToken.push(latencyMs / Math.max(1, outputTokens));
    this.tokens.push(Math.max(0, outputTokens));
  }

  /**
   * Counts a failure and cools the deployment when due; returns the new end of the cooldown when
   * it started or grew, else 0. A cooldown never shortens a longer live one.
   */
  fail(nowMs: number, outcome: number, config: FailureConfig, retryAfterMs: number): number {
    if (outcome === OUTCOME.aborted) return 0;
    this.errors += 1;
    if (outcome === OUTCOME.client) return 0;
    this.failures.push(nowMs);
    while (this.failures.length > 0 && this.failures[0]! <= nowMs - config.failureWindowMs) this.failures.shift();
    if (this.failures.length > config.allowedFails + 1) this.failures.shift();
    if (outcome !== OUTCOME.rate_limit && this.failures.length <= config.allowedFails) return 0;
    this.failures.length = 0;
    const until = nowMs + (retryAfterMs > 0 ? retryAfterMs : config.cooldownMs);
    return this.coolUntil(until);
  }

  /** Writes this deployment's metrics into `row` (see {@link SNAPSHOT}). */
  writeSnapshot(row: Float64Array, nowMs: number): void {
    const sorted = this.latency.values.slice(0, this.latency.count).sort();
    row[SNAPSHOT.inFlight] = this.inFlight;
    row[SNAPSHOT.calls] = this.calls;
    row[SNAPSHOT.successes] = this.successes;
    row[SNAPSHOT.errors] = this.errors;
    row[SNAPSHOT.coolingUntilMs] = this.coolingUntilMs > nowMs ? this.coolingUntilMs : 0;
    row[SNAPSHOT.latencyP50Ms] = percentile(sorted, 0.5);
    row[SNAPSHOT.latencyP95Ms] = percentile(sorted, 0.95);
    row[SNAPSHOT.latencyP99Ms] = percentile(sorted, 0.99);
    row[SNAPSHOT.latencyMeanMs] = this.latency.mean();
    row[SNAPSHOT.timeToFirstTokenMeanMs] = this.firstToken.mean();
    row[SNAPSHOT.tokensPerSecond] = this.latency.sum > 0 ? this.tokens.sum / (this.latency.sum / 1000) : 0;
    const minute = Math.floor(nowMs / MINUTE_MS);
    row[SNAPSHOT.requestsThisMinute] = this.requestsIn(minute);
    row[SNAPSHOT.tokensThisMinute] = this.tokensIn(minute);
    row[SNAPSHOT.healthy] = this.healthy ? 1 : 0;
  }
}

/** The cooldown settings a failure is judged by. */
export interface FailureConfig {
  readonly cooldownMs: number;
  readonly allowedFails: number;
  readonly failureWindowMs: number;
}
