//! An append-only table read without a lock: chunks of doubling size, each allocated once and
//! never moved, so a reference to an entry stays valid for the life of the table. Writers are
//! serialised by their caller (the router's registration lock); readers cost two atomic loads.

use std::sync::OnceLock;

/// Entries in the first chunk; chunk `k` holds `FIRST << k`.
const FIRST: usize = 64;
/// Chunks: room for `FIRST * (2^CHUNKS - 1)` entries, about 2^30.
const CHUNKS: usize = 24;

pub(crate) struct Slots<T> {
    chunks: [OnceLock<Box<[OnceLock<T>]>>; CHUNKS],
}

/// Chunk and offset of entry `index`.
fn locate(index: usize) -> (usize, usize) {
    let scaled = index / FIRST + 1;
    let chunk = (usize::BITS - 1 - scaled.leading_zeros()) as usize;
    (chunk, index - FIRST * ((1 << chunk) - 1))
}

impl<T> Slots<T> {
    pub(crate) fn new() -> Self {
        Self {
            chunks: [const { OnceLock::new() }; CHUNKS],
        }
    }

    /// Entry `index`, `None` when it was never set.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        let (chunk, offset) = locate(index);
        self.chunks.get(chunk)?.get()?.get(offset)?.get()
    }

    /// Sets entry `index` once; false when it was set before or lies past the capacity.
    pub(crate) fn set(&self, index: usize, value: T) -> bool {
        let (chunk, offset) = locate(index);
        let Some(cell) = self.chunks.get(chunk) else {
            return false;
        };
        let chunk = cell.get_or_init(|| (0..FIRST << chunk).map(|_| OnceLock::new()).collect());
        chunk[offset].set(value).is_ok()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Slots<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Slots")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_across_chunks_read_back_and_set_only_once() {
        let slots = Slots::new();
        for index in [0, 63, 64, 191, 192, 10_000] {
            assert!(slots.set(index, index * 2));
        }
        assert!(!slots.set(64, 0));
        assert_eq!(slots.get(191), Some(&382));
        assert_eq!(slots.get(10_000), Some(&20_000));
        assert_eq!(slots.get(65), None);
        assert_eq!(locate(64), (1, 0));
        assert_eq!(locate(191), (1, 127));
        assert_eq!(locate(192), (2, 0));
    }
}
