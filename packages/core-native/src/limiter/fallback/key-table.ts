// Keys of one fallback limiter, laid out like crates/tollgate-core/src/limiter/keys.rs: names
// resolved once to handles (index + generation * 2^32), state in flat typed arrays.
import { RING, isClear, slotMs, slotOf } from './window.js';
import type { FallbackRule } from './fallback-rule.js';
import { globalIndex, localIndex } from './shard.js';

const GENERATION_SPAN = 2 ** 32;
const GENERATION_MASK = (1 << 20) - 1;

export const packHandle = (index: number, generation: number): number => generation * GENERATION_SPAN + index;
export const unpackHandle = (handle: number): [number, number] => [handle % GENERATION_SPAN, Math.floor(handle / GENERATION_SPAN)];

function grown<T extends Uint32Array | Float64Array>(array: T, length: number): T {
  if (array.length >= length) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(length, array.length * 2, 16));
  next.set(array);
  return next;
}

/** Per-key state of one shard of a limiter, one row per key; handles carry the shard. */
export class KeyTable {
  readonly names = new Map<string, number>();
  rowNames: (string | undefined)[] = [];
  generations = new Uint32Array(0);
  lastMs = new Float64Array(0);
  inFlight = new Uint32Array(0);
  rings = new Uint32Array(0);
  heads = new Float64Array(0);
  levels = new Float64Array(0);
  refilledAt = new Float64Array(0);
  live = 0;
  /** Idle keys evicted by the last `resolve` to make room. */
  resolveEvicted = 0;
  private readonly free: number[] = [];
  private sweepCursor = 0;
  private readonly horizonMs: number;

  constructor(
    private readonly rules: readonly FallbackRule[],
    readonly windows: number,
    readonly buckets: number,
    private readonly shard: number,
  ) {
    this.horizonMs = rules.reduce((longest, rule) => Math.max(longest, horizonOf(rule)), MIN_IDLE_MS);
  }

  get rows(): number {
    return this.rowNames.length;
  }

  resolve(name: string, nowMs: number): number {
    const existing = this.names.get(name);
    if (existing !== undefined) {
      this.resolveEvicted = 0;
      this.lastMs[existing] = Math.max(this.lastMs[existing]!, nowMs);
      return packHandle(globalIndex(existing, this.shard), this.generations[existing]!);
    }
    this.resolveEvicted = this.free.length === 0 ? this.sweep(nowMs, 8) : 0;
    const index = this.free.pop() ?? this.grow();
    this.resetRow(index, nowMs);
    this.rowNames[index] = name;
    this.names.set(name, index);
    this.live += 1;
    return packHandle(globalIndex(index, this.shard), this.generations[index]!);
  }

  indexOf(handle: number): number | undefined {
    const [global, generation] = unpackHandle(handle);
    const index = localIndex(global, this.shard);
    if (index === undefined || index >= this.rows || this.rowNames[index] === undefined || this.generations[index] !== generation) return undefined;
    return index;
  }

  private grow(): number {
    const index = this.rows;
    this.rowNames.push(undefined);
    this.generations = grown(this.generations, index + 1);
    this.lastMs = grown(this.lastMs, index + 1);
    this.inFlight = grown(this.inFlight, index + 1);
    this.rings = grown(this.rings, (index + 1) * this.windows * RING);
    this.heads = grown(this.heads, (index + 1) * this.windows);
    this.levels = grown(this.levels, (index + 1) * this.buckets);
    this.refilledAt = grown(this.refilledAt, (index + 1) * this.buckets);
    return index;
  }

  private resetRow(index: number, nowMs: number): void {
    this.rings.fill(0, index * this.windows * RING, (index + 1) * this.windows * RING);
    let window = 0;
    let bucket = 0;
    for (const rule of this.rules) {
      if (rule.kind === 'window') {
        this.heads[index * this.windows + window] = slotOf(nowMs, slotMs(rule.periodMs));
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

  private isIdle(index: number, nowMs: number): boolean {
    if (this.rowNames[index] === undefined || this.inFlight[index]! > 0 || nowMs - this.lastMs[index]! < this.horizonMs) return false;
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

  private evict(index: number): void {
    this.names.delete(this.rowNames[index]!);
    this.rowNames[index] = undefined;
    this.generations[index] = (this.generations[index]! + 1) & GENERATION_MASK;
    this.free.push(index);
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

  approximateBytes(): number {
    let nameBytes = 0;
    for (const name of this.names.keys()) nameBytes += name.length * 2 + 40;
    const arrays = [this.generations, this.lastMs, this.inFlight, this.rings, this.heads, this.levels, this.refilledAt];
    return arrays.reduce((sum, array) => sum + array.byteLength, 0) + nameBytes + this.rows * 8;
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
