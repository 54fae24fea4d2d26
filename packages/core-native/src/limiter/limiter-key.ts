/**
 * A key resolved once to a handle (from {@link Limiter.key}); passing it instead of a string
 * saves a hash lookup and a string copy per call. When the key is evicted while idle, the next
 * call resolves the name again, transparently.
 */
export class LimiterKey {
  /** @internal */
  handle: number;

  /** @internal */
  constructor(
    readonly name: string,
    handle: number,
    /** @internal */
    readonly limiterId: number,
  ) {
    this.handle = handle;
  }
}
