// In-flight leases of one fallback limiter, as crates/tollgate-core/src/limiter/leases.rs.
import { packHandle, unpackHandle } from './key-table.js';
import { globalIndex, localIndex } from './shard.js';

interface LeaseRow {
  key: number;
  requests: number;
  expiresAtMs: number;
  generation: number;
  live: boolean;
}

/** The leases of one shard; their handles carry the shard. */
export class LeaseTable {
  live = 0;
  private readonly rows: LeaseRow[] = [];
  private readonly free: number[] = [];
  private nextExpiryMs = 0;

  constructor(private readonly shard: number) {}

  open(key: number, requests: number, expiresAtMs: number): number {
    let index = this.free.pop();
    if (index === undefined) {
      index = this.rows.length;
      this.rows.push({ key, requests, expiresAtMs, generation: 0, live: true });
    } else {
      const row = this.rows[index]!;
      Object.assign(row, { key, requests, expiresAtMs, generation: (row.generation + 1) & ((1 << 20) - 1), live: true });
    }
    if (this.live === 0 || expiresAtMs < this.nextExpiryMs) this.nextExpiryMs = expiresAtMs;
    this.live += 1;
    return packHandle(globalIndex(index, this.shard), this.rows[index]!.generation);
  }

  close(lease: number): LeaseRow | undefined {
    const [global, generation] = unpackHandle(lease);
    const index = localIndex(global, this.shard);
    const row = index === undefined ? undefined : this.rows[index];
    if (row === undefined || !row.live || row.generation !== generation) return undefined;
    row.live = false;
    this.free.push(index!);
    this.live -= 1;
    return row;
  }

  expireDue(nowMs: number, expire: (key: number, requests: number) => void): number {
    if (this.live === 0 || nowMs < this.nextExpiryMs) return 0;
    let expired = 0;
    let next = Infinity;
    this.rows.forEach((row, index) => {
      if (!row.live) return;
      if (row.expiresAtMs <= nowMs) {
        row.live = false;
        this.free.push(index);
        expire(row.key, row.requests);
        expired += 1;
      } else {
        next = Math.min(next, row.expiresAtMs);
      }
    });
    this.live -= expired;
    this.nextExpiryMs = next;
    return expired;
  }

  earliestExpiryOf(key: number): number {
    let earliest = Infinity;
    for (const row of this.rows) if (row.live && row.key === key) earliest = Math.min(earliest, row.expiresAtMs);
    return earliest;
  }
}
