import { invalidArgument } from '../errors.js';
import type { LimitDecision } from './decision.js';
import { Lease, type LeaseOwner } from './lease.js';
import type { LimiterKey } from './limiter-key.js';
import { BATCH_COLUMN, BATCH_COLUMNS, OUTCOME } from './store.js';

/** @internal What a batch needs to build leases. */
export interface BatchSource {
  readonly owner: LeaseOwner;
  readonly labels: readonly string[];
  readonly keys: readonly (string | LimiterKey)[];
  /** Token cost of every check, or one per check. */
  readonly tokens: number | Float64Array;
}

/**
 * The answers of {@link Limiter.tryAcquireMany}: one per key, in the order given, in typed arrays
 * (no object per check unless asked for with {@link LimitBatch.decision} or {@link LimitBatch.lease}).
 * The arrays are views into a block of memory this thread shares among recent batches (their
 * `.buffer` is larger than they are); `slice()` them before handing them to code that works on
 * the whole `.buffer`.
 */
export class LimitBatch {
  /** Number of checks. */
  readonly size: number;
  /** Limit labels, in rule order: the columns of {@link LimitBatch.remaining}. */
  readonly labels: readonly string[];
  readonly #values: Float64Array;
  readonly #source: BatchSource;
  #allowed: Uint8Array | undefined;
  #leases: (Lease | undefined)[] | undefined;

  /** @internal `values` holds the batch answer columns (see `BATCH_COLUMN`), then the remaining rows. */
  constructor(source: BatchSource, values: Float64Array, size: number) {
    this.#source = source;
    this.#values = values;
    this.size = size;
    this.labels = source.labels;
  }

  #column(column: number): Float64Array {
    return this.#values.subarray(column * this.size, (column + 1) * this.size);
  }

  /** 1 where the check was admitted, 0 where refused; one byte per check. */
  get allowed(): Uint8Array {
    if (this.#allowed === undefined) {
      const allowed = new Uint8Array(this.size);
      for (let index = 0; index < this.size; index += 1) allowed[index] = this.#values[index] === OUTCOME.admitted ? 1 : 0;
      this.#allowed = allowed;
    }
    return this.#allowed;
  }

  /** Per check: 0 when admitted, else whole milliseconds (at least 1) until the refusing limit fits its cost. */
  get retryAfterMs(): Float64Array {
    return this.#column(BATCH_COLUMN.retryAfterMs);
  }

  /**
   * What remains under each limit after each check, never negative: `size` rows of
   * `labels.length` values (row `i` starts at `i * labels.length`).
   */
  get remaining(): Float64Array {
    return this.#values.subarray(BATCH_COLUMNS * this.size);
  }

  /** Number of admitted checks. */
  get admitted(): number {
    let admitted = 0;
    for (let index = 0; index < this.size; index += 1) if (this.#values[index] === OUTCOME.admitted) admitted += 1;
    return admitted;
  }

  #checked(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw invalidArgument('index', `an integer from 0 to ${this.size - 1}`, index);
    return index;
  }

  /** True when check `index` was admitted. @throws {TollgateError} `ERR_INVALID_ARGUMENT` for an index out of range. */
  isAllowed(index: number): boolean {
    return this.#values[this.#checked(index)] === OUTCOME.admitted;
  }

  /** The label of the limit that refused check `index`; undefined when admitted. @throws {TollgateError} `ERR_INVALID_ARGUMENT` for an index out of range. */
  limitedBy(index: number): string | undefined {
    const rule = this.#values[BATCH_COLUMN.rule * this.size + this.#checked(index)]!;
    return this.isAllowed(index) || rule < 0 ? undefined : this.labels[rule];
  }

  /**
   * The lease of admitted check `index` (the same object on every call), undefined when refused.
   * With an `inFlight` limit, release it when done; unreleased, it expires after `leaseTimeoutMs`.
   *
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for an index out of range.
   */
  lease(index: number): Lease | undefined {
    if (!this.isAllowed(index)) return undefined;
    this.#leases ??= [];
    let lease = this.#leases[index];
    if (lease === undefined) {
      const { owner, keys, tokens } = this.#source;
      const atMs = this.#values[BATCH_COLUMN.atMs * this.size + index]!;
      const number = this.#values[BATCH_COLUMN.lease * this.size + index]!;
      lease = new Lease({ owner, key: keys[index]!, atMs, lease: number }, typeof tokens === 'number' ? tokens : tokens[index]!);
      this.#leases[index] = lease;
    }
    return lease;
  }

  /**
   * Check `index` as the {@link LimitDecision} a `tryAcquire` would have returned.
   *
   * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for an index out of range.
   */
  decision(index: number): LimitDecision {
    const allowed = this.isAllowed(index);
    const remaining: Record<string, number> = {};
    const at = BATCH_COLUMNS * this.size + index * this.labels.length;
    this.labels.forEach((label, rule) => (remaining[label] = this.#values[at + rule]!));
    const limit = this.limitedBy(index);
    return {
      allowed,
      retryAfterMs: this.retryAfterMs[index]!,
      remaining,
      remainingByScope: [remaining],
      ...(limit === undefined ? {} : { limitedBy: { scope: 0, limit } }),
      ...(allowed ? { lease: this.lease(index) } : {}),
    };
  }
}
