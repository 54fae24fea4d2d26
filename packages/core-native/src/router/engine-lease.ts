import { OUTCOME, type RouterEngine } from './engine.js';
import { publish } from './events.js';
import { classifyFailure, outcomeOf, type ClassifiedFailure } from './failure.js';
import type { LeaseUsage, RoutedDeployment, RouterLease } from './lease.js';
import type { RedisRouterState } from './shared-state.js';

/** What every lease of one router needs from it; built once per router. */
export interface LeaseOwner {
  readonly name: string;
  readonly engine: RouterEngine;
  /** The router's engine handle. */
  readonly handle: number;
  readonly clock: () => number;
  readonly shared: RedisRouterState | undefined;
}

/**
 * A lease on an engine slot: one object per acquire (methods on the prototype, no closures), so
 * taking and ending a lease allocates nothing else on the JS side.
 */
export class EngineLease implements RouterLease {
  #ended = false;
  #firstTokenMs = 0;

  constructor(
    private readonly owner: LeaseOwner,
    readonly deployment: RoutedDeployment,
    /** Deployment handle in the engine. */
    private readonly target: number,
    /** Lease number in the engine. */
    private readonly lease: number,
    private readonly startMs: number,
  ) {}

  get ended(): boolean {
    return this.#ended;
  }

  markFirstToken(): void {
    if (this.#firstTokenMs === 0 && !this.#ended) this.#firstTokenMs = Math.max(Number.EPSILON, this.owner.clock() - this.startMs);
  }

  succeed(usage?: LeaseUsage): void {
    this.end(OUTCOME.success, usage?.outputTokens ?? 0, usage?.totalTokens ?? -1, 0);
  }

  fail(error: unknown): ClassifiedFailure {
    const owner = this.owner;
    const failure = classifyFailure(error, owner.clock());
    if (this.#ended) return failure;
    const untilMs = this.end(outcomeOf(failure.kind), 0, -1, failure.retryAfterMs ?? 0);
    const deployment = this.deployment;
    publish('failure', () => ({
      router: owner.name,
      model: deployment.model,
      deployment: deployment.id,
      kind: failure.kind,
      status: failure.status,
      retryAfterMs: failure.retryAfterMs,
    }));
    if (untilMs > 0) {
      owner.shared?.noteCooldown(this.target, untilMs);
      publish('cooldown', () => ({ router: owner.name, deployment: deployment.id, untilMs }));
    }
    return failure;
  }

  release(): void {
    this.end(OUTCOME.aborted, 0, -1, 0);
  }

  /** Ends the lease once in the engine; the new cooldown end, or 0 (also when already ended). */
  private end(outcome: number, output: number, total: number, retryAfterMs: number): number {
    if (this.#ended) return 0;
    this.#ended = true;
    const owner = this.owner;
    const now = owner.clock();
    return owner.engine.release(owner.handle, this.lease, now, outcome, now - this.startMs, this.#firstTokenMs, output, total, retryAfterMs);
  }
}
