//! How one limiter's keys are spread over shards, each behind its own lock, so threads checking
//! different keys do not wait on each other or on each other's cache lines.
//!
//! A key's shard comes from its name (FNV-1a over its code points, the same function as the TS
//! fallback's), and its handle carries the shard in the low bits of its row index: a handle or a
//! lease finds its shard without a lookup.

/// Shards per limiter (a power of two).
pub const SHARDS: usize = 16;

const SHARD_BITS: u32 = SHARDS.trailing_zeros();
const SHARD_MASK: u32 = SHARDS as u32 - 1;

/// The shard that holds the key `name`.
pub fn shard_of_name(name: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for character in name.chars() {
        hash ^= character as u32;
        hash = hash.wrapping_mul(0x0100_0193);
    }
    ((hash ^ (hash >> 16)) & SHARD_MASK) as usize
}

/// The shard of a key or lease handle (its row index is the low 32 bits).
pub fn shard_of_handle(handle: u64) -> usize {
    (handle as u32 & SHARD_MASK) as usize
}

/// The row index a handle carries for row `local` of `shard`.
pub(crate) fn global_index(local: u32, shard: u32) -> u32 {
    (local << SHARD_BITS) | shard
}

/// The row of `shard` that `index` names, or `None` when it belongs to another shard.
pub(crate) fn local_index(index: u32, shard: u32) -> Option<u32> {
    (index & SHARD_MASK == shard).then_some(index >> SHARD_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_spread_over_every_shard() {
        let mut seen = [0usize; SHARDS];
        for index in 0..1600 {
            seen[shard_of_name(&format!("user:{index}"))] += 1;
        }
        assert!(seen.iter().all(|&count| count > 50), "{seen:?}");
    }

    #[test]
    fn a_handle_index_round_trips_through_its_shard() {
        let index = global_index(1234, 7);
        assert_eq!(shard_of_handle(index as u64 | (3 << 32)), 7);
        assert_eq!(local_index(index, 7), Some(1234));
        assert_eq!(local_index(index, 6), None);
    }

    #[test]
    fn the_hash_matches_the_ts_fallback() {
        // Values computed by packages/core-native/src/limiter/fallback/shard.ts.
        let names = ["", "a", "user:42", "ключ", "键🔑"];
        let shards: Vec<usize> = names.iter().map(|name| shard_of_name(name)).collect();
        assert_eq!(shards, EXPECTED);
    }

    const EXPECTED: [usize; 5] = [9, 0, 9, 11, 7];
}
