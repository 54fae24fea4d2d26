// How a fallback limiter spreads its keys over shards: the same function and handle layout as
// crates/tollgate-core/src/limiter/shards.rs, so both backends evict and expire in the same order.

/** Shards per limiter (a power of two). */
export const SHARDS = 16;

/**
 * The shard of the key `name`: FNV-1a over its code points. Names reach the stores well-formed
 * (see `stored-name.ts`), so every surrogate here is half of a pair.
 */
export function shardOfName(name: string): number {
  let hash = 0x811c9dc5;
  for (const character of name) hash = Math.imul(hash ^ character.codePointAt(0)!, 0x01000193);
  return (hash ^ (hash >>> 16)) & (SHARDS - 1);
}

/**
 * The shard of a key or lease handle (its row index is below 2^32, and 2^32 is a multiple of
 * SHARDS); shard 0 for a number that is no handle at all (negative, fractional, NaN, beyond
 * 2^53), where it names no row.
 */
export const shardOfHandle = (handle: number): number => (Number.isSafeInteger(handle) && handle >= 0 ? handle % SHARDS : 0);

/** The row index a handle carries for row `local` of `shard`. */
export const globalIndex = (local: number, shard: number): number => local * SHARDS + shard;

/** The row of `shard` that `index` names, or `undefined` when it belongs to another shard. */
export const localIndex = (index: number, shard: number): number | undefined => (index % SHARDS === shard ? Math.floor(index / SHARDS) : undefined);
