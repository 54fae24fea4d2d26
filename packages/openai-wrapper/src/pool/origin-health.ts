import { channel } from 'node:diagnostics_channel';
import type { ResolvedPoolOptions } from './pool-options.js';

/** Channel on which a health change is published: `{ origin, healthy, reason }`. */
export const POOL_HEALTH_CHANNEL = 'tollgate:pool:health';
const healthChannel = channel(POOL_HEALTH_CHANNEL);

/** What one request to an origin came to, for passive health. */
export type RequestResult = 'ok' | 'error' | 'timeout';

/**
 * Passive health of one origin: a window of recent results; too many errors, or several timeouts
 * in a row, mark it unhealthy. It turns healthy again when a probe answers, or after
 * `unhealthyForMs` when no probe is configured.
 */
export class OriginHealth {
  healthy = true;
  /** Ring of the last `windowSize` results, 1 for a failure: plain counters, no array per request. */
  private readonly failed: Uint8Array;
  private recorded = 0;
  private nextSlot = 0;
  private failures = 0;
  private timeoutsInRow = 0;
  private probeDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly origin: string,
    private readonly options: ResolvedPoolOptions['health'],
    private readonly probe: (path: string) => Promise<boolean>,
  ) {
    this.probeDelayMs = options.probeBackoffMs;
    this.failed = new Uint8Array(options.windowSize);
  }

  /** Adds one request's result to the window; may mark the origin unhealthy (and start probing). */
  record(result: RequestResult): void {
    if (this.stopped) return;
    const failure = result === 'ok' ? 0 : 1;
    const windowSize = this.failed.length;
    if (this.recorded === windowSize) this.failures -= this.failed[this.nextSlot]!;
    else this.recorded += 1;
    this.failed[this.nextSlot] = failure;
    this.failures += failure;
    this.nextSlot = this.nextSlot + 1 === windowSize ? 0 : this.nextSlot + 1;
    this.timeoutsInRow = result === 'timeout' ? this.timeoutsInRow + 1 : 0;
    if (!this.healthy) return;

    const rateTooHigh = this.recorded >= this.options.minRequests && this.failures / this.recorded >= this.options.errorRateThreshold;
    if (rateTooHigh) this.markUnhealthy('error_rate');
    else if (this.timeoutsInRow >= this.options.consecutiveTimeouts) this.markUnhealthy('timeouts');
  }

  private markUnhealthy(reason: string): void {
    this.healthy = false;
    this.announce(reason);
    const probePath = this.options.probePath;
    if (probePath === undefined) {
      this.schedule(this.options.unhealthyForMs, async () => this.markHealthy('unhealthy_for_elapsed'));
      return;
    }
    this.probeDelayMs = this.options.probeBackoffMs;
    const attempt = async (): Promise<void> => {
      if (await this.probe(probePath).catch(() => false)) return this.markHealthy('probe');
      this.probeDelayMs = Math.min(this.options.probeBackoffMaxMs, this.probeDelayMs * 2);
      this.schedule(this.probeDelayMs, attempt);
    };
    this.schedule(this.probeDelayMs, attempt);
  }

  private markHealthy(reason: string): void {
    if (this.stopped) return;
    this.healthy = true;
    this.recorded = 0;
    this.nextSlot = 0;
    this.failures = 0;
    this.timeoutsInRow = 0;
    this.announce(reason);
  }

  private schedule(delayMs: number, body: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void body(), delayMs);
    this.timer.unref();
  }

  private announce(reason: string): void {
    if (healthChannel.hasSubscribers) healthChannel.publish({ origin: this.origin, healthy: this.healthy, reason });
    try {
      this.options.onHealthChange?.(this.origin, this.healthy);
    } catch {
      // A failing listener must never break requests.
    }
  }

  /** Stops probing and recording for good (the pools closed): no health change is announced after. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
