import { Lease, type LeaseOwner } from './lease.js';
import type { LimiterKey } from './limiter-key.js';

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

/** The values `out[at + 2..at + count]`, copied (the store reuses `out` on its next call). */
function copyRest(out: Float64Array, at: number, count: number): number[] | undefined {
  if (count <= 2) return undefined;
  const values = new Array<number>(count - 2);
  for (let index = 2; index < count; index += 1) values[index - 2] = out[at + index]!;
  return values;
}

/**
 * A single-scope decision read straight from the store's answer array; `remaining` and `lease`
 * are built only when read, so a check that looks only at `allowed` allocates two small objects.
 */
export class SingleScopeDecision implements LimitDecision {
  readonly #labels: readonly string[];
  /** The first two remaining values in fields and the others in an array: most limiters have one or two rules, and a check then allocates no array. */
  readonly #first: number;
  readonly #second: number;
  readonly #rest: number[] | undefined;
  #remaining: Record<string, number> | undefined;
  #lease: Lease | undefined;
  /** Who settles and releases, or undefined when refused. */
  readonly #owner: LeaseOwner | undefined;
  readonly #key: LimiterKey | string;
  readonly #atMs: number;
  readonly #leaseNumber: number;
  readonly #tokens: number;

  /** @internal Reads `[atMs, lease]` at `out[at - 2]` and the remaining values from `out[at]`. */
  constructor(
    readonly allowed: boolean,
    readonly retryAfterMs: number,
    labels: readonly string[],
    out: Float64Array,
    at: number,
    readonly limitedBy: { readonly scope: number; readonly limit: string } | undefined,
    owner: LeaseOwner | undefined,
    key: LimiterKey | string,
    tokens: number,
  ) {
    this.#labels = labels;
    this.#first = out[at]!;
    this.#second = out[at + 1]!;
    this.#rest = copyRest(out, at, labels.length);
    this.#owner = owner;
    this.#key = key;
    this.#atMs = out[at - 2]!;
    this.#leaseNumber = out[at - 1]!;
    this.#tokens = tokens;
  }

  /** The lease when allowed (the same object on every read). */
  get lease(): Lease | undefined {
    if (this.#lease === undefined && this.#owner !== undefined) {
      this.#lease = new Lease({ owner: this.#owner, key: this.#key, atMs: this.#atMs, lease: this.#leaseNumber }, this.#tokens);
    }
    return this.#lease;
  }

  get remaining(): Readonly<Record<string, number>> {
    if (this.#remaining === undefined) {
      const remaining: Record<string, number> = {};
      this.#labels.forEach((label, index) => (remaining[label] = index === 0 ? this.#first : index === 1 ? this.#second : this.#rest![index - 2]!));
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
