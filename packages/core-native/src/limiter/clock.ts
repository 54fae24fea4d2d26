/**
 * Where a limiter reads time and sets timers. Inject one in tests to drive time by hand.
 * `now()` is in milliseconds; every thread or process sharing a limiter must use the same epoch.
 */
export interface LimiterClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(timer: unknown): void;
}

/** Wall-clock time (`Date.now()`) and Node timers that do not keep the process alive. */
export const systemClock: LimiterClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** A clock that moves only when told; timers fire during {@link ManualClock.advance}. */
export interface ManualClock extends LimiterClock {
  /** Moves time forward by `milliseconds`, firing due timers in order; awaits their microtasks. */
  advance(milliseconds: number): Promise<void>;
  /** Number of timers not fired or cleared yet. */
  readonly pendingTimers: number;
}

/**
 * A clock for tests, starting at `startMs` (default 0).
 *
 * @example
 * const clock = createManualClock();
 * const limiter = createLimiter({ requestsPerSecond: 1, clock });
 * await clock.advance(1000);
 */
export function createManualClock(startMs = 0): ManualClock {
  let now = startMs;
  let sequence = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const flush = async (): Promise<void> => {
    for (let round = 0; round < 5; round += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    now: () => now,
    setTimeout(callback, delayMs) {
      sequence += 1;
      timers.set(sequence, { at: now + Math.max(0, delayMs), callback });
      return sequence;
    },
    clearTimeout(timer) {
      timers.delete(timer as number);
    },
    get pendingTimers() {
      return timers.size;
    },
    async advance(milliseconds) {
      const target = now + milliseconds;
      await flush();
      for (;;) {
        let next: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= target && (next === undefined || entry[1].at < next[1].at)) next = entry;
        if (next === undefined) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].callback();
        await flush();
      }
      now = target;
      await flush();
    },
  };
}
