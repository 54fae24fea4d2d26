import { invalidArgument } from '../errors.js';
import type { LimiterKey } from './limiter-key.js';

/** What a lease needs from its limiters. @internal */
export interface LeaseOwner {
  settleKey(key: LimiterKey | string, atMs: number, deltaTokens: number): void;
  releaseLease(lease: number): boolean;
  wake(): void;
}

/** One scope of a lease. @internal */
export interface LeasePart {
  readonly owner: LeaseOwner;
  readonly key: LimiterKey | string;
  readonly atMs: number;
  readonly lease: number;
}

/**
 * What an admission took, kept so it can be corrected: `settle` replaces the token estimate by
 * the real usage, `release` frees the in-flight slot. A lease never released expires after the
 * limiter's `leaseTimeoutMs`. Settling and releasing are idempotent per call and never throw for
 * an already expired lease.
 */
export class Lease {
  #tokens: number;
  #released = false;

  readonly #parts: readonly LeasePart[];

  /** @internal */
  constructor(parts: LeasePart | readonly LeasePart[], tokens: number) {
    this.#parts = Array.isArray(parts) ? parts : [parts as LeasePart];
    this.#tokens = tokens;
  }

  /** Tokens currently charged for this lease (the estimate, or the settled amount). */
  get tokens(): number {
    return this.#tokens;
  }

  /** True once {@link Lease.release} ran. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Replaces the charged tokens by `usage.tokens`: the difference is refunded to the window slot
   * it was taken from (while that slot still counts) or charged now. Can be called again later.
   *
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` when `usage.tokens` is not a non-negative integer.
   */
  settle(usage: { readonly tokens: number }): void {
    const tokens = usage?.tokens;
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw invalidArgument('usage.tokens', 'a non-negative integer', tokens);
    const delta = tokens - this.#tokens;
    this.#tokens = tokens;
    if (delta === 0) return;
    for (const part of this.#parts) part.owner.settleKey(part.key, part.atMs, delta);
    if (delta < 0) for (const part of this.#parts) part.owner.wake();
  }

  /** Frees the in-flight slot(s); false when already released or expired. */
  release(): boolean {
    if (this.#released) return false;
    this.#released = true;
    let freed = false;
    for (const part of this.#parts) if (part.lease >= 0) freed = part.owner.releaseLease(part.lease) || freed;
    for (const part of this.#parts) part.owner.wake();
    return freed;
  }
}
