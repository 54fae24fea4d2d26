import { Lease, type LeasePart } from './lease.js';

/** The answer to one attempt. */
export interface LimitDecision {
  /** True when the cost was taken from every scope. */
  readonly allowed: boolean;
  /**
   * 0 when allowed; otherwise whole milliseconds until the refusing limit can fit this cost
   * (at least 1). For `inFlight`, the time until the earliest lease of the key expires: a
   * release may come sooner.
   */
  readonly retryAfterMs: number;
  /**
   * What remains under each limit of the first scope after this attempt, by label
   * (`requestsPerMinute`, `tokensPerDay`, `tokensBucket`, `inFlight`...); never negative.
   */
  readonly remaining: Readonly<Record<string, number>>;
  /** The same per scope, in the order the scopes were given. */
  readonly remainingByScope: readonly Readonly<Record<string, number>>[];
  /** Which scope and limit refused (absent when allowed). */
  readonly limitedBy?: { readonly scope: number; readonly limit: string };
  /** The lease when allowed: settle the real tokens with it and release it when done. */
  readonly lease?: Lease;
}

/** Builds the per-label record from `out[at..]`. */
export function remainingRecord(labels: readonly string[], out: Float64Array, at: number): Record<string, number> {
  const remaining: Record<string, number> = {};
  for (let index = 0; index < labels.length; index += 1) remaining[labels[index]!] = out[at + index]!;
  return remaining;
}

/**
 * A single-scope decision read straight from the store's answer array; `remaining` and `lease`
 * are built only when read, so a check that looks only at `allowed` allocates little.
 */
export class SingleScopeDecision implements LimitDecision {
  readonly #labels: readonly string[];
  readonly #values: number[];
  #remaining: Record<string, number> | undefined;
  #lease: Lease | undefined;
  readonly #leasePart: LeasePart | undefined;
  readonly #tokens: number;

  constructor(
    readonly allowed: boolean,
    readonly retryAfterMs: number,
    labels: readonly string[],
    out: Float64Array,
    at: number,
    readonly limitedBy: { readonly scope: number; readonly limit: string } | undefined,
    leasePart: LeasePart | undefined,
    tokens: number,
  ) {
    this.#labels = labels;
    const values: number[] = [];
    for (let index = 0; index < labels.length; index += 1) values.push(out[at + index]!);
    this.#values = values;
    this.#leasePart = leasePart;
    this.#tokens = tokens;
  }

  /** The lease when allowed (the same object on every read). */
  get lease(): Lease | undefined {
    if (this.#lease === undefined && this.#leasePart !== undefined) this.#lease = new Lease(this.#leasePart, this.#tokens);
    return this.#lease;
  }

  get remaining(): Readonly<Record<string, number>> {
    if (this.#remaining === undefined) {
      const remaining: Record<string, number> = {};
      this.#labels.forEach((label, index) => (remaining[label] = this.#values[index]!));
      this.#remaining = remaining;
    }
    return this.#remaining;
  }

  get remainingByScope(): readonly Readonly<Record<string, number>>[] {
    return [this.remaining];
  }

  /** Plain-object form, so tests and logs see every field. */
  toJSON(): object {
    const { allowed, retryAfterMs, remaining, limitedBy } = this;
    return { allowed, retryAfterMs, remaining, ...(limitedBy === undefined ? {} : { limitedBy }) };
  }
}
