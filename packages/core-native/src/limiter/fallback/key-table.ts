// Keys of one fallback limiter, laid out like crates/tollgate-core/src/limiter/keys.rs: names
// resolved once to handles (index + generation * 2^32), state in flat typed arrays.
import { RING, isClear, slotMs, slotOf } from './window.js';
import type { FallbackRule } from './fallback-rule.js';
import { SHARDS, globalIndex, localIndex } from './shard.js';

const GENERATION_SPAN = 2 ** 32;
const GENERATION_MASK = (1 << 20) - 1;

export const packHandle = (index: number, generation: number): number => generation * GENERATION_SPAN + index;
export const unpackHandle = (handle: number): [number, number] => [handle % GENERATION_SPAN, Math.floor(handle / GENERATION_SPAN)];

/** `array` copied into a new one of `length` values. */
function grown<T extends Uint32Array | Float64Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/**
 * The typed arrays of a limiter's keys, one row per key handle index, shared by its shards: row
 * `local` of shard `s` is row `local * SHARDS + s`, so the arrays grow a few times for the whole
 * limiter rather than per shard.
 */
export class KeyColumns {
  generations = new Uint32Array(0);
  lastMs = new Float64Array(0);
  inFlight = new Uint32Array(0);
  rings = new Uint32Array(0);
  heads = new Float64Array(0);
  levels = new Float64Array(0);
  refilledAt = new Float64Array(0);
  /** Rows the arrays hold. */
  private capacity = 0;

  constructor(
    readonly windows: number,
    readonly buckets: number,
  ) {}

  /** Makes room for row `index`. */
  ensure(index: number): void {
    if (index < this.capacity) return;
    const rows = Math.max(index + 1, this.capacity * 2, 4 * SHARDS);
    this.capacity = rows;
    this.generations = grown(this.generations, rows);
    this.lastMs = grown(this.lastMs, rows);
    this.inFlight = grown(this.inFlight, rows);
    this.rings = grown(this.rings, rows * this.windows * RING);
    this.heads = grown(this.heads, rows * this.windows);
    this.levels = grown(this.levels, rows * this.buckets);
    this.refilledAt = grown(this.refilledAt, rows * this.buckets);
  }

  approximateBytes(): number {
    const arrays = [this.generations, this.lastMs, this.inFlight, this.rings, this.heads, this.levels, this.refilledAt];
    return arrays.reduce((sum, array) => sum + array.byteLength, 0);
  }
}

/**
 * The keys of one shard of a limiter. Rows are numbered as in the shared {@link KeyColumns}
 * (`indexOf` returns that number); names, free rows and the sweep cursor are the shard's own.
 */
export class KeyTable {
  readonly names = new Map<string, number>();
  /** Names by local row (`undefined`: free). */
  rowNames: (string | undefined)[] = [];
  live = 0;
  /** Idle keys evicted by the last `resolve` to make room. */
  resolveEvicted = 0;
  private readonly free: number[] = [];
  private sweepCursor = 0;
  private readonly horizonMs: number;

  constructor(
    private readonly rules: readonly FallbackRule[],
    readonly columns: KeyColumns,
    private readonly shard: number,
  ) {
    this.horizonMs = rules.reduce((longest, rule) => Math.max(longest, horizonOf(rule)), MIN_IDLE_MS);
  }

  get windows(): number {
    return this.columns.windows;
  }

  get buckets(): number {
    return this.columns.buckets;
  }

  get lastMs(): Float64Array {
    return this.columns.lastMs;
  }

  get inFlight(): Uint32Array {
    return this.columns.inFlight;
  }

  get rings(): Uint32Array {
    return this.columns.rings;
  }

  get heads(): Float64Array {
    return this.columns.heads;
  }

  get levels(): Float64Array {
    return this.columns.levels;
  }

  get refilledAt(): Float64Array {
    return this.columns.refilledAt;
  }

  /** Local rows in this shard, used or free. */
  get rows(): number {
    return this.rowNames.length;
  }

  resolve(name: string, nowMs: number): number {
    const existing = this.names.get(name);
    const generations = this.columns.generations;
    if (existing !== undefined) {
      this.resolveEvicted = 0;
      this.lastMs[existing] = Math.max(this.lastMs[existing]!, nowMs);
      return packHandle(existing, generations[existing]!);
    }
    this.resolveEvicted = this.free.length === 0 ? this.sweep(nowMs, 8) : 0;
    const local = this.free.pop() ?? this.grow();
    const index = globalIndex(local, this.shard);
    this.resetRow(index, nowMs);
    this.rowNames[local] = name;
    this.names.set(name, index);
    this.live += 1;
    return packHandle(index, this.columns.generations[index]!);
  }

  /** The row of `handle`, or `undefined` when its key was evicted since. */
  indexOf(handle: number): number | undefined {
    const [index, generation] = unpackHandle(handle);
    const local = localIndex(index, this.shard);
    if (local === undefined || local >= this.rows || this.rowNames[local] === undefined || this.columns.generations[index] !== generation) return undefined;
    return index;
  }

  private grow(): number {
    const local = this.rows;
    this.rowNames.push(undefined);
    this.columns.ensure(globalIndex(local, this.shard));
    return local;
  }

  private resetRow(index: number, nowMs: number): void {
    const windows = this.windows;
    this.rings.fill(0, index * windows * RING, (index + 1) * windows * RING);
    let window = 0;
    let bucket = 0;
    for (const rule of this.rules) {
      if (rule.kind === 'window') {
        this.heads[index * windows + window] = slotOf(nowMs, slotMs(rule.periodMs));
        window += 1;
      } else if (rule.kind === 'bucket') {
        this.levels[index * this.buckets + bucket] = rule.capacity;
        this.refilledAt[index * this.buckets + bucket] = nowMs;
        bucket += 1;
      }
    }
    this.lastMs[index] = nowMs;
    this.inFlight[index] = 0;
  }

  private isIdle(local: number, nowMs: number): boolean {
    const index = globalIndex(local, this.shard);
    if (this.rowNames[local] === undefined || this.inFlight[index]! > 0 || nowMs - this.lastMs[index]! < this.horizonMs) return false;
    let window = 0;
    let bucket = 0;
    for (const rule of this.rules) {
      if (rule.kind === 'window') {
        const at = index * this.windows + window;
        if (!isClear(this.rings, at * RING, this.heads[at]!, slotOf(nowMs, slotMs(rule.periodMs)))) return false;
        window += 1;
      } else if (rule.kind === 'bucket') {
        const at = index * this.buckets + bucket;
        const elapsed = Math.max(nowMs - this.refilledAt[at]!, 0);
        if (this.levels[at]! + elapsed * rule.refillPerMs < rule.capacity) return false;
        bucket += 1;
      }
    }
    return true;
  }

  private evict(local: number): void {
    const index = globalIndex(local, this.shard);
    const generations = this.columns.generations;
    this.names.delete(this.rowNames[local]!);
    this.rowNames[local] = undefined;
    generations[index] = (generations[index]! + 1) & GENERATION_MASK;
    this.free.push(local);
    this.live -= 1;
  }

  /** Looks at up to `budget` rows after the cursor and evicts the idle ones; returns how many. */
  sweep(nowMs: number, budget: number): number {
    const total = this.rows;
    let evicted = 0;
    for (let step = 0; step < Math.min(budget, total); step += 1) {
      this.sweepCursor = (this.sweepCursor + 1) % total;
      if (this.isIdle(this.sweepCursor, nowMs)) {
        this.evict(this.sweepCursor);
        evicted += 1;
      }
    }
    return evicted;
  }

  /** Bytes of this shard's names and bookkeeping (the shared columns are counted once, apart). */
  approximateBytes(): number {
    let nameBytes = 0;
    for (const name of this.names.keys()) nameBytes += name.length * 2 + 40;
    return nameBytes + this.rows * 8;
  }
}

/**
 * The shortest time a key must sit untouched before it may be evicted, even when no rule remembers
 * anything (an in-flight-only limiter): without it, resolving one key of a multi-key acquire could
 * evict another key of the same call, over and over. Same value as the Rust core's.
 */
const MIN_IDLE_MS = 1000;

function horizonOf(rule: FallbackRule): number {
  if (rule.kind === 'window') return slotMs(rule.periodMs) * RING;
  if (rule.kind === 'bucket') return rule.capacity / rule.refillPerMs;
  return 0;
}
