import { SNAPSHOT } from './engine.js';
import type { RoutedDeployment } from './lease.js';

/** Metrics of one deployment at the time of a snapshot. */
export interface DeploymentMetrics {
  readonly id: string;
  readonly model: string;
  readonly inFlight: number;
  readonly calls: number;
  readonly successes: number;
  /** Failed calls, 4xx included (aborts are not counted). */
  readonly errors: number;
  readonly cooling: boolean;
  /** End of the live cooldown (clock ms), 0 when not cooling. */
  readonly coolingUntilMs: number;
  /** Percentiles and mean over the recent window of successful (and timed-out) calls, in ms. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly mean: number };
  /** Mean time to first token of recent streams, in ms (0 when none). */
  readonly timeToFirstTokenMs: number;
  readonly tokensPerSecond: number;
  /** Requests in the current clock minute: this router's, plus other processes' as last synced when `shared`. */
  readonly requestsThisMinute: number;
  /** Tokens (estimates, replaced by real totals on success) in the current minute, counted as `requestsThisMinute`. */
  readonly tokensThisMinute: number;
  readonly healthy: boolean;
}

/** Reads row `handle` of a snapshot array. */
export function readSnapshot(deployment: RoutedDeployment, rows: Float64Array, handle: number, nowMs: number): DeploymentMetrics {
  const at = (field: number) => rows[handle * SNAPSHOT.length + field]!;
  const coolingUntilMs = at(SNAPSHOT.coolingUntilMs);
  return {
    id: deployment.id,
    model: deployment.model,
    inFlight: at(SNAPSHOT.inFlight),
    calls: at(SNAPSHOT.calls),
    successes: at(SNAPSHOT.successes),
    errors: at(SNAPSHOT.errors),
    cooling: coolingUntilMs > nowMs,
    coolingUntilMs,
    latencyMs: {
      p50: at(SNAPSHOT.latencyP50Ms),
      p95: at(SNAPSHOT.latencyP95Ms),
      p99: at(SNAPSHOT.latencyP99Ms),
      mean: at(SNAPSHOT.latencyMeanMs),
    },
    timeToFirstTokenMs: at(SNAPSHOT.timeToFirstTokenMeanMs),
    tokensPerSecond: at(SNAPSHOT.tokensPerSecond),
    requestsThisMinute: at(SNAPSHOT.requestsThisMinute),
    tokensThisMinute: at(SNAPSHOT.tokensThisMinute),
    healthy: at(SNAPSHOT.healthy) === 1,
  };
}
