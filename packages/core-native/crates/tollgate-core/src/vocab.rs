//! A BPE vocabulary: token bytes by rank, and rank by token bytes.

use rustc_hash::FxHashMap;

/// Rank lookups over token bytes that are embedded in the binary at build time.
///
/// Building the map for o200k_base (199,998 tokens) takes about 10 ms and 8 MB, once per process.
pub struct Vocab {
    bytes: &'static [u8],
    offsets: Vec<u32>,
    ranks: FxHashMap<&'static [u8], u32>,
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
        let mut ranks = FxHashMap::default();
        ranks.reserve(offsets.len());
        let mut two_byte_ranks = vec![u32::MAX; 1 << 16];
        for rank in 0..offsets.len().saturating_sub(1) {
            let token = &bytes[offsets[rank] as usize..offsets[rank + 1] as usize];
            if token.len() == 2 {
                two_byte_ranks[(token[0] as usize) << 8 | token[1] as usize] = rank as u32;
            }
            if !token.is_empty() {
                ranks.insert(token, rank as u32);
            }
        }
        Vocab { bytes, offsets, ranks, two_byte_ranks }
    }

    /// The rank of `token`, if it is in the vocabulary.
    #[inline]
    pub fn rank(&self, token: &[u8]) -> Option<u32> {
        if let [first, second] = token {
            let rank = self.two_byte_ranks[(*first as usize) << 8 | *second as usize];
            return (rank != u32::MAX).then_some(rank);
        }
        self.ranks.get(token).copied()
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

    /// One more than the highest ordinary rank.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}
