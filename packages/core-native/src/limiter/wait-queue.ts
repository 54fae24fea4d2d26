import type { LimiterClock } from './clock.js';

/** What one attempt of a queued acquire came to. */
export type AttemptResult<T> =
  | { readonly kind: 'admitted'; readonly value: T }
  | { readonly kind: 'wait'; readonly retryAfterMs: number }
  | { readonly kind: 'error'; readonly error: unknown };

/** A queued acquire. `scopes` name the keys it needs; it never passes a waiter on a shared key. */
export interface Waiter<T> {
  readonly priority: number;
  readonly scopes: readonly string[];
  attempt(): AttemptResult<T> | Promise<AttemptResult<T>>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** Undoes an admission that came after the waiter had already given up. */
  undo(value: T): void;
}

interface Entry<T> {
  readonly waiter: Waiter<T>;
  readonly sequence: number;
  done: boolean;
}

/**
 * Waiters served in order: higher `priority` first, then first come first served. A pass tries
 * waiters in that order; once one is refused, later waiters sharing a key with it are skipped in
 * that pass, so a large request is never starved by a stream of small ones behind it. A pass runs
 * when a waiter joins, when a lease of this thread is released or settled, and on a timer at the
 * earliest retry time (at most `pollIntervalMs` ahead, to notice releases by other threads).
 */
export class WaitQueue {
  private readonly entries: Entry<unknown>[] = [];
  private sequence = 0;
  private running = false;
  private again = false;
  private timer: unknown;

  constructor(
    private readonly clock: LimiterClock,
    private readonly pollIntervalMs: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Adds a waiter and runs a pass; returns a function that withdraws it (true if still queued). */
  add<T>(waiter: Waiter<T>): () => boolean {
    const entry: Entry<T> = { waiter, sequence: (this.sequence += 1), done: false };
    const at = this.entries.findIndex((other) => other.waiter.priority < waiter.priority);
    this.entries.splice(at === -1 ? this.entries.length : at, 0, entry as Entry<unknown>);
    void this.pump();
    return () => {
      if (entry.done) return false;
      entry.done = true;
      this.remove(entry as Entry<unknown>);
      return true;
    };
  }

  /** Runs a pass soon (after a release or refund in this thread). */
  wake(): void {
    if (this.entries.length > 0) void this.pump();
  }

  private remove(entry: Entry<unknown>): void {
    const at = this.entries.indexOf(entry);
    if (at !== -1) this.entries.splice(at, 1);
  }

  private async pump(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async pass(): Promise<void> {
    const blocked = new Set<string>();
    let soonestMs = Infinity;
    for (const entry of [...this.entries]) {
      if (entry.done || entry.waiter.scopes.some((scope) => blocked.has(scope))) continue;
      let result = entry.waiter.attempt();
      if (result instanceof Promise) result = await result;
      if (entry.done) {
        if (result.kind === 'admitted') entry.waiter.undo(result.value);
        continue;
      }
      if (result.kind === 'wait') {
        for (const scope of entry.waiter.scopes) blocked.add(scope);
        soonestMs = Math.min(soonestMs, result.retryAfterMs);
        continue;
      }
      entry.done = true;
      this.remove(entry);
      if (result.kind === 'admitted') entry.waiter.resolve(result.value);
      else entry.waiter.reject(result.error);
    }
    this.schedule(soonestMs);
  }

  private schedule(soonestMs: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.entries.length === 0) return;
    const delayMs = Math.min(Number.isFinite(soonestMs) ? soonestMs : this.pollIntervalMs, this.pollIntervalMs);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.pump();
    }, Math.max(delayMs, 1));
  }
}

const queues = new WeakMap<LimiterClock, Map<number, WaitQueue>>();

/** The queue shared by every limiter of this thread using `clock` and `pollIntervalMs`. */
export function queueFor(clock: LimiterClock, pollIntervalMs: number): WaitQueue {
  let byPoll = queues.get(clock);
  if (byPoll === undefined) queues.set(clock, (byPoll = new Map()));
  let queue = byPoll.get(pollIntervalMs);
  if (queue === undefined) byPoll.set(pollIntervalMs, (queue = new WaitQueue(clock, pollIntervalMs)));
  return queue;
}
