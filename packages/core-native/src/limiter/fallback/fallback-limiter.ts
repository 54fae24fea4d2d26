// One fallback limiter: the per-scope steps of crates/tollgate-core/src/limiter/acquire.rs and
// limiter.rs, in the same order with the same arithmetic, over the same shards.
import { decodeSpec, type FallbackRule } from './fallback-rule.js';
import { KeyColumns, KeyTable } from './key-table.js';
import { LeaseTable } from './lease-table.js';
import { SHARDS, shardOfHandle, shardOfName } from './shard.js';
import { RING, add, advance, counted, refund, slotMs, waitMs } from './window.js';

/** The result of checking one scope: the rule that overflowed, or the longest wait. */
export interface ScopeCheck {
  exceeds: number;
  waitRule: number;
  waitMs: number;
}

/** The keys and leases of one shard; a key's leases live in its shard. */
interface Shard {
  readonly keys: KeyTable;
  readonly leases: LeaseTable;
}

export class FallbackLimiter {
  readonly rules: FallbackRule[];
  readonly leaseTimeoutMs: number;
  shards: Shard[];
  closed = false;
  readonly counters = { admitted: 0, refused: 0, evicted: 0, leasesExpired: 0 };

  constructor(
    readonly id: number,
    readonly spec: Float64Array,
  ) {
    const decoded = decodeSpec(spec);
    this.rules = decoded.rules;
    this.leaseTimeoutMs = decoded.leaseTimeoutMs;
    this.shards = this.freshShards();
  }

  private freshShards(): Shard[] {
    const windows = this.rules.filter((rule) => rule.kind === 'window').length;
    const buckets = this.rules.filter((rule) => rule.kind === 'bucket').length;
    const columns = new KeyColumns(windows, buckets);
    return Array.from({ length: SHARDS }, (_, shard) => ({ keys: new KeyTable(this.rules, columns, shard), leases: new LeaseTable(shard) }));
  }

  /** The key table of the shard that `handle` (a key or lease) belongs to. */
  keysOf(handle: number): KeyTable {
    return this.shards[shardOfHandle(handle)]!.keys;
  }

  key(name: string, nowMs: number): number {
    const keys = this.shards[shardOfName(name)]!.keys;
    const handle = keys.resolve(name, nowMs);
    this.counters.evicted += keys.resolveEvicted;
    return handle;
  }

  /** Expires the due leases of `key`'s shard. */
  expireLeases(key: number, nowMs: number): void {
    const { keys, leases } = this.shards[shardOfHandle(key)]!;
    if (leases.live === 0) return;
    this.counters.leasesExpired += leases.expireDue(nowMs, (leaseKey, requests) => {
      const index = keys.indexOf(leaseKey);
      if (index !== undefined) keys.inFlight[index] = Math.max(keys.inFlight[index]! - requests, 0);
    });
  }

  /** Sweeps up to `budget` rows of `key`'s shard and counts what it evicts. */
  sweep(key: number, nowMs: number, budget: number): void {
    this.counters.evicted += this.keysOf(key).sweep(nowMs, budget);
  }

  check(row: number, key: number, requests: number, tokens: number, now: number): ScopeCheck {
    const keys = this.keysOf(key);
    let windowAt = row * keys.windows;
    let bucketAt = row * keys.buckets;
    const result: ScopeCheck = { exceeds: -1, waitRule: -1, waitMs: 0 };
    const note = (rule: number, wait: number): void => {
      if (result.waitRule === -1 || wait >= result.waitMs) Object.assign(result, { waitRule: rule, waitMs: wait });
    };
    for (let index = 0; index < this.rules.length; index += 1) {
      const rule = this.rules[index]!;
      if (rule.kind === 'window') {
        const slot = slotMs(rule.periodMs);
        advance(keys.rings, windowAt * RING, keys.heads, windowAt, now, slot);
        const wanted = rule.tokens ? tokens : requests;
        if (wanted > rule.limit) return { exceeds: index, waitRule: -1, waitMs: 0 };
        const total = counted(keys.rings, windowAt * RING);
        if (wanted > 0 && total + wanted > rule.limit) {
          note(index, waitMs(keys.rings, windowAt * RING, keys.heads[windowAt]!, total + wanted - rule.limit, now, slot));
        }
        windowAt += 1;
      } else if (rule.kind === 'bucket') {
        const level = Math.min(keys.levels[bucketAt]! + (now - keys.refilledAt[bucketAt]!) * rule.refillPerMs, rule.capacity);
        keys.levels[bucketAt] = level;
        keys.refilledAt[bucketAt] = now;
        bucketAt += 1;
        const wanted = rule.tokens ? tokens : requests;
        if (wanted > rule.capacity) return { exceeds: index, waitRule: -1, waitMs: 0 };
        if (wanted > 0 && level < wanted) note(index, (wanted - level) / rule.refillPerMs);
      } else {
        if (requests > rule.max) return { exceeds: index, waitRule: -1, waitMs: 0 };
        if (requests > 0 && keys.inFlight[row]! + requests > rule.max) {
          note(index, Math.max(this.shards[shardOfHandle(key)]!.leases.earliestExpiryOf(key) - now, 0));
        }
      }
    }
    return result;
  }

  commit(row: number, key: number, requests: number, tokens: number, now: number): number {
    const { keys, leases } = this.shards[shardOfHandle(key)]!;
    let windowAt = row * keys.windows;
    let bucketAt = row * keys.buckets;
    let lease = -1;
    for (const rule of this.rules) {
      if (rule.kind === 'window') {
        add(keys.rings, windowAt * RING, keys.heads[windowAt]!, rule.tokens ? tokens : requests);
        windowAt += 1;
      } else if (rule.kind === 'bucket') {
        keys.levels[bucketAt] = keys.levels[bucketAt]! - (rule.tokens ? tokens : requests);
        bucketAt += 1;
      } else if (requests > 0) {
        // A cost of no requests holds no slot, so it opens no lease.
        keys.inFlight[row] = keys.inFlight[row]! + requests;
        lease = leases.open(key, requests, now + this.leaseTimeoutMs);
      }
    }
    keys.lastMs[row] = now;
    return lease;
  }

  writeRemaining(key: number, row: number, out: Float64Array, at: number): void {
    const keys = this.keysOf(key);
    let windowAt = row * keys.windows;
    let bucketAt = row * keys.buckets;
    this.rules.forEach((rule, index) => {
      if (rule.kind === 'window') {
        out[at + index] = Math.max(rule.limit - counted(keys.rings, windowAt * RING), 0);
        windowAt += 1;
      } else if (rule.kind === 'bucket') {
        out[at + index] = Math.floor(Math.max(keys.levels[bucketAt]!, 0));
        bucketAt += 1;
      } else {
        out[at + index] = Math.max(rule.max - keys.inFlight[row]!, 0);
      }
    });
  }

  release(lease: number): boolean {
    const { keys, leases } = this.shards[shardOfHandle(lease)]!;
    const closed = leases.close(lease);
    if (closed === undefined) return false;
    const index = keys.indexOf(closed.key);
    if (index !== undefined) keys.inFlight[index] = Math.max(keys.inFlight[index]! - closed.requests, 0);
    return true;
  }

  settle(key: number, atMs: number, deltaTokens: number, nowMs: number): boolean {
    const keys = this.keysOf(key);
    const row = keys.indexOf(key);
    if (row === undefined) return false;
    const now = Math.max(nowMs, keys.lastMs[row]!);
    let windowAt = row * keys.windows;
    let bucketAt = row * keys.buckets;
    for (const rule of this.rules) {
      if (rule.kind === 'window') {
        const slot = slotMs(rule.periodMs);
        advance(keys.rings, windowAt * RING, keys.heads, windowAt, now, slot);
        const head = keys.heads[windowAt]!;
        if (rule.tokens && deltaTokens < 0) refund(keys.rings, windowAt * RING, head, -deltaTokens, atMs, slot);
        else if (rule.tokens && deltaTokens > 0) add(keys.rings, windowAt * RING, head, deltaTokens);
        windowAt += 1;
      } else if (rule.kind === 'bucket') {
        let level = Math.min(keys.levels[bucketAt]! + (now - keys.refilledAt[bucketAt]!) * rule.refillPerMs, rule.capacity);
        keys.refilledAt[bucketAt] = now;
        if (rule.tokens) level = Math.min(level - deltaTokens, rule.capacity);
        keys.levels[bucketAt] = level;
        bucketAt += 1;
      }
    }
    if (deltaTokens > 0) keys.lastMs[row] = now;
    return true;
  }

  evictIdle(nowMs: number): number {
    const evicted = this.shards.reduce((sum, { keys }) => sum + keys.sweep(nowMs, keys.rows), 0);
    this.counters.evicted += evicted;
    return evicted;
  }

  /** `[keys, leases, approximate bytes]` over every shard. */
  totals(): [number, number, number] {
    let keys = 0;
    let leases = 0;
    let bytes = this.shards[0]!.keys.columns.approximateBytes();
    for (const shard of this.shards) {
      keys += shard.keys.live;
      leases += shard.leases.live;
      bytes += shard.keys.approximateBytes();
    }
    return [keys, leases, bytes];
  }

  clear(): void {
    this.shards = this.freshShards();
    this.closed = true;
  }
}
