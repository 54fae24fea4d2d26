import { invalidArgument } from '../../errors.js';

/** What a Redis lease needs from its limiter. @internal */
export interface RedisLeaseOwner {
  settleRemote(key: string, atMs: number, deltaTokens: number): Promise<void>;
  releaseRemote(key: string, member: string): Promise<boolean>;
  wake(): void;
}

/**
 * A lease taken from the Redis limiter: like {@link Lease}, but settling and releasing talk to
 * Redis and return promises. A lease granted while Redis was unreachable (policy `open` or
 * `local`) settles and releases locally or not at all.
 */
export class RedisLease {
  #tokens: number;
  #released = false;

  /** @internal */
  constructor(
    private readonly owner: RedisLeaseOwner | undefined,
    private readonly key: string,
    private readonly atMs: number,
    private readonly member: string | undefined,
    tokens: number,
    private readonly local?: { settle(usage: { tokens: number }): void; release(): boolean },
  ) {
    this.#tokens = tokens;
  }

  /** Tokens currently charged for this lease. */
  get tokens(): number {
    return this.#tokens;
  }

  /**
   * Replaces the charged tokens by `usage.tokens` (refund or charge of the difference).
   *
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for a bad count; rejects with the Redis error
   *   when Redis fails (the limiter's policy does not apply to corrections).
   */
  async settle(usage: { readonly tokens: number }): Promise<void> {
    const tokens = usage?.tokens;
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw invalidArgument('usage.tokens', 'a non-negative integer', tokens);
    const delta = tokens - this.#tokens;
    this.#tokens = tokens;
    if (delta === 0) return;
    this.local?.settle({ tokens });
    if (this.owner !== undefined) await this.owner.settleRemote(this.key, this.atMs, delta);
    if (delta < 0) this.owner?.wake();
  }

  /** Frees the in-flight slot; resolves false when already released or expired. */
  async release(): Promise<boolean> {
    if (this.#released) return false;
    this.#released = true;
    if (this.local !== undefined) return this.local.release();
    if (this.owner === undefined || this.member === undefined) return false;
    const freed = await this.owner.releaseRemote(this.key, this.member);
    this.owner.wake();
    return freed;
  }
}
