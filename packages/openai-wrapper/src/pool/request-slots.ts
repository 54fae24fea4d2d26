import type { Dispatcher } from 'undici';

/** A request held back by the total cap, sent in arrival order when a slot frees. */
interface HeldRequest {
  readonly pool: Dispatcher;
  readonly options: Dispatcher.DispatchOptions;
  readonly handler: Dispatcher.DispatchHandler;
}

/**
 * The cap on requests running over all origins: a count and a first-in, first-out queue of the
 * requests over the cap. No closure is allocated for a request that gets a slot at once.
 */
export class RequestSlots {
  /** Requests holding a slot (sent to a pool and not yet finished). */
  running = 0;
  private readonly held: HeldRequest[] = [];
  private heldStart = 0;
  private idle: (() => void) | undefined;

  /** @param limit Most requests running at once (`maxTotalConnections`). */
  constructor(private readonly limit: number) {}

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.held.length - this.heldStart;
  }

  /** Sends the request through `pool` now when a slot is free, otherwise queues it. */
  send(pool: Dispatcher, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    if (this.running < this.limit) {
      this.running += 1;
      pool.dispatch(options, handler);
      return;
    }
    this.held.push({ pool, options, handler });
  }

  /** Frees the slot of a finished request and gives it to the oldest queued request, if any. */
  release(): void {
    this.running -= 1;
    if (this.heldStart < this.held.length) {
      const next = this.held[this.heldStart]!;
      this.held[this.heldStart] = undefined as unknown as HeldRequest;
      this.heldStart += 1;
      if (this.heldStart === this.held.length) {
        this.held.length = 0;
        this.heldStart = 0;
      }
      this.running += 1;
      next.pool.dispatch(next.options, next.handler);
      return;
    }
    if (this.running === 0 && this.idle !== undefined) this.idle();
  }

  /** Resolves once no request is running or queued. */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.idle;
      this.idle = () => {
        this.idle = undefined;
        previous?.();
        resolve();
      };
    });
  }
}
