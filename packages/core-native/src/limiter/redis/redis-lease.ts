import { invalidArgument } from '../../errors.js';

/** What a Redis lease needs from its limiter. @internal */
export interface RedisLeaseOwner {
  settleRemote(key: string, atMs: number, deltaTokens: number): Promise<void>;
  releaseRemote(key: string, member: string): Promise<boolean>;
  wake(): void;
}

/** One scope of a Redis lease. @internal */
export interface RedisLeasePart {
  readonly owner: RedisLeaseOwner;
  readonly key: string;
  /** Redis time the tokens were counted at. */
  readonly atMs: number;
  /** The lease's member in the scope's lease set, when its limiter counts requests in flight. */
  readonly member: string | undefined;
}

/**
 * A lease taken from the Redis limiter: like {@link Lease}, but settling and releasing talk to
 * Redis and return promises. A lease granted while Redis was unreachable (policy `open` or
 * `local`) settles and releases locally or not at all.
 */
export class RedisLease {
  #tokens: number;
  #released = false;

  /** @internal `parts` is empty for a lease granted while Redis was unreachable. */
  constructor(
    private readonly parts: readonly RedisLeasePart[],
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
    await Promise.all(this.parts.map(({ owner, key, atMs }) => owner.settleRemote(key, atMs, delta)));
    if (delta < 0) for (const { owner } of this.parts) owner.wake();
  }

  /** Frees the in-flight slot of every scope; resolves false when already released or expired everywhere. */
  async release(): Promise<boolean> {
    if (this.#released) return false;
    this.#released = true;
    if (this.local !== undefined) return this.local.release();
    const held = this.parts.filter((part) => part.member !== undefined);
    const freed = await Promise.all(held.map(({ owner, key, member }) => owner.releaseRemote(key, member!)));
    for (const { owner } of this.parts) owner.wake();
    return freed.includes(true);
  }
}
