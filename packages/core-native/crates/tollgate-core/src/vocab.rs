//! A BPE vocabulary: token bytes by rank, and rank by token bytes.

use rustc_hash::FxHashMap;

/// A small direct-mapped cache of rank lookups (1,024 entries, 24 KB), valid for one piece: call
/// [`RankCache::reset`] before each, which costs nothing (a generation number moves on).
pub struct RankCache {
    keys: Vec<u128>,
    ranks: Vec<u32>,
    generations: Vec<u32>,
    generation: u32,
}

impl Default for RankCache {
    fn default() -> Self {
        RankCache { keys: vec![0; 1024], ranks: vec![0; 1024], generations: vec![0; 1024], generation: 0 }
    }
}

impl RankCache {
    /// Forgets every entry, so a cache filled for one encoding is never read for another.
    pub fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.generations.iter_mut().for_each(|g| *g = u32::MAX);
        }
    }
}

/// Tokens up to this many bytes are keyed by a packed `u128`.
const SHORT_MAX: usize = 15;

/// Packs a token of at most [`SHORT_MAX`] bytes, little-endian, with its length in the top byte.
/// Built from two overlapping loads instead of a variable-length copy (which costs a `memcpy`).
#[inline]
fn short_key(token: &[u8]) -> u128 {
    let len = token.len();
    let length_tag = (len as u128) << 120;
    let bytes = match len {
        0 => 0,
        1..=3 => {
            let last = token[len - 1] as u128;
            token[0] as u128 | (token[len / 2] as u128) << (8 * (len / 2)) | last << (8 * (len - 1))
        }
        4..=8 => {
            let low = u32::from_le_bytes(token[..4].try_into().expect("len >= 4")) as u128;
            let high = u32::from_le_bytes(token[len - 4..].try_into().expect("len >= 4")) as u128;
            low | (high >> (8 * (8 - len))) << 32
        }
        _ => {
            let low = u64::from_le_bytes(token[..8].try_into().expect("len >= 8")) as u128;
            let high = u64::from_le_bytes(token[len - 8..].try_into().expect("len >= 8")) as u128;
            low | (high >> (8 * (16 - len))) << 64
        }
    };
    bytes | length_tag
}

/// Rank lookups over token bytes that are embedded in the binary at build time.
///
/// Building the map for o200k_base (199,998 tokens) takes about 10 ms and 8 MB, once per process.
pub struct Vocab {
    bytes: &'static [u8],
    offsets: Vec<u32>,
    /// Ranks of tokens of at most [`SHORT_MAX`] bytes, keyed by [`short_key`]: hashing and
    /// comparing one `u128` beats hashing a slice and calling `memcmp` (about 1.5x on CJK text).
    short_ranks: FxHashMap<u128, u32>,
    /// Ranks of longer tokens.
    long_ranks: FxHashMap<&'static [u8], u32>,
    /// Rank of every two-byte token by `first << 8 | second` (`u32::MAX`: none). Pair lookups
    /// dominate merging, and this answers the most common one with a single load.
    two_byte_ranks: Vec<u32>,
}

impl Vocab {
    /// Builds from a packed blob and its little-endian u32 offsets, as written by `build.rs`.
    pub fn from_packed(bytes: &'static [u8], packed_offsets: &'static [u8]) -> Vocab {
        let offsets: Vec<u32> = packed_offsets
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let mut short_ranks = FxHashMap::default();
        let mut long_ranks = FxHashMap::default();
        short_ranks.reserve(offsets.len());
        let mut two_byte_ranks = vec![u32::MAX; 1 << 16];
        for rank in 0..offsets.len().saturating_sub(1) {
            let token = &bytes[offsets[rank] as usize..offsets[rank + 1] as usize];
            if token.len() == 2 {
                two_byte_ranks[(token[0] as usize) << 8 | token[1] as usize] = rank as u32;
            }
            if token.is_empty() {
                continue;
            }
            if token.len() <= SHORT_MAX {
                short_ranks.insert(short_key(token), rank as u32);
            } else {
                long_ranks.insert(token, rank as u32);
            }
        }
        Vocab { bytes, offsets, short_ranks, long_ranks, two_byte_ranks }
    }

    /// The rank of `token`, if it is in the vocabulary.
    #[inline]
    pub fn rank(&self, token: &[u8]) -> Option<u32> {
        if let [first, second] = token {
            let rank = self.two_byte_ranks[(*first as usize) << 8 | *second as usize];
            return (rank != u32::MAX).then_some(rank);
        }
        if token.len() <= SHORT_MAX {
            return self.short_ranks.get(&short_key(token)).copied();
        }
        self.long_ranks.get(token).copied()
    }

    /// The bytes of the token with `rank`, if there is one.
    #[inline]
    pub fn token(&self, rank: u32) -> Option<&'static [u8]> {
        let rank = rank as usize;
        if rank + 1 >= self.offsets.len() {
            return None;
        }
        let bytes = &self.bytes[self.offsets[rank] as usize..self.offsets[rank + 1] as usize];
        (!bytes.is_empty()).then_some(bytes)
    }

    /// [`Vocab::rank`] through `cache`: long pieces look up the same few strings again and again,
    /// and the full map (about 8 MB for o200k_base) misses the CPU caches on most lookups.
    #[inline]
    pub fn rank_cached(&self, token: &[u8], cache: &mut RankCache) -> Option<u32> {
        if token.len() <= 2 || token.len() > SHORT_MAX {
            return self.rank(token);
        }
        let key = short_key(token);
        let slot = ((key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54) as usize;
        if cache.generations[slot] == cache.generation && cache.keys[slot] == key {
            let rank = cache.ranks[slot];
            return (rank != u32::MAX).then_some(rank);
        }
        let rank = self.short_ranks.get(&key).copied();
        cache.keys[slot] = key;
        cache.ranks[slot] = rank.unwrap_or(u32::MAX);
        cache.generations[slot] = cache.generation;
        rank
    }

    /// One more than the highest ordinary rank.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::short_key;

    #[test]
    fn short_keys_are_the_packed_bytes_and_length() {
        for len in 0..=15usize {
            let token: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
            let mut packed = [0u8; 16];
            packed[..len].copy_from_slice(&token);
            packed[15] = len as u8;
            assert_eq!(short_key(&token), u128::from_le_bytes(packed), "length {len}");
        }
    }
}
