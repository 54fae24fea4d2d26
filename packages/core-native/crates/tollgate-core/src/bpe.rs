//! Byte-pair merging of one piece, with tiktoken's rule: repeatedly merge the adjacent pair whose
//! concatenation has the lowest rank, the leftmost one on ties, until no pair is in the vocabulary.
//!
//! Short pieces use a flat scan (quadratic, but on a few dozen bytes it beats any structure).
//! Long pieces (a run of one letter, a base64 blob) use a rank-bucketed queue with lazy deletion and a
//! linked list of parts: O(n log n), where tiktoken's own loop is O(n²).

use crate::merge_queue::MergeQueue;
use crate::vocab::{RankCache, Vocab};

/// Pieces at least this long are merged with the heap. Below it the flat scan is faster.
pub const HEAP_THRESHOLD: usize = 96;

const NONE: u32 = u32::MAX;
const START_BITS: u32 = 40;
const START_MASK: u64 = (1 << START_BITS) - 1;

/// Reusable buffers, so that merging many pieces allocates once.
#[derive(Default)]
pub struct Scratch {
    bounds: Vec<u32>,
    pair_ranks: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    heap: MergeQueue,
    cache: RankCache,
}

/// Calls `emit` with each token rank of `piece`, in order.
#[inline]
pub fn merge_piece(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch, emit: &mut impl FnMut(u32)) {
    if let Some(rank) = vocab.rank(piece) {
        emit(rank);
    } else if piece.len() < HEAP_THRESHOLD {
        merge_flat(vocab, piece, scratch, emit);
    } else {
        merge_heap(vocab, piece, scratch, emit);
    }
}

#[inline]
fn rank_or_none(vocab: &Vocab, bytes: &[u8]) -> u32 {
    vocab.rank(bytes).unwrap_or(NONE)
}

/// Every single byte is a token of every bundled vocabulary, so a part always has a rank.
#[inline]
fn part_rank(vocab: &Vocab, part: &[u8]) -> u32 {
    vocab.rank(part).expect("every merged part and every single byte is in the vocabulary")
}

fn merge_flat(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch, emit: &mut impl FnMut(u32)) {
    let bounds = &mut scratch.bounds;
    let ranks = &mut scratch.pair_ranks;
    bounds.clear();
    bounds.extend(0..=piece.len() as u32);
    ranks.clear();
    ranks.extend((0..piece.len() - 1).map(|i| rank_or_none(vocab, &piece[i..i + 2])));

    let pair_rank = |bounds: &[u32], j: usize| -> u32 {
        match bounds.get(j + 2) {
            Some(&end) => rank_or_none(vocab, &piece[bounds[j] as usize..end as usize]),
            None => NONE,
        }
    };
    loop {
        let (mut best, mut at) = (NONE, 0);
        for (j, &rank) in ranks.iter().enumerate() {
            if rank < best {
                best = rank;
                at = j;
            }
        }
        if best == NONE {
            break;
        }
        bounds.remove(at + 1);
        ranks.remove(at);
        if at < ranks.len() {
            ranks[at] = pair_rank(bounds, at);
        }
        if at > 0 {
            ranks[at - 1] = pair_rank(bounds, at - 1);
        }
    }
    for window in bounds.windows(2) {
        emit(part_rank(vocab, &piece[window[0] as usize..window[1] as usize]));
    }
}

fn merge_heap(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch, emit: &mut impl FnMut(u32)) {
    let n = piece.len();
    let cache = &mut scratch.cache;
    cache.reset();
    let mut rank_of = |bytes: &[u8]| vocab.rank_cached(bytes, cache).unwrap_or(NONE);
    let next = &mut scratch.next;
    let prev = &mut scratch.prev;
    let pair_ranks = &mut scratch.pair_ranks;
    next.clear();
    next.extend(1..=n as u32);
    prev.clear();
    prev.push(NONE);
    prev.extend(0..n as u32 - 1);
    pair_ranks.clear();
    pair_ranks.extend((0..n - 1).map(|i| rank_or_none(vocab, &piece[i..i + 2])));
    pair_ranks.push(NONE);

    let key = |rank: u32, start: usize| ((rank as u64) << START_BITS) | start as u64;
    let heap = &mut scratch.heap;
    heap.clear();
    for (start, &rank) in pair_ranks.iter().enumerate() {
        if rank != NONE {
            heap.push(key(rank, start));
        }
    }

    while let Some(entry) = heap.pop() {
        let (rank, start) = ((entry >> START_BITS) as u32, (entry & START_MASK) as usize);
        if pair_ranks[start] != rank {
            continue;
        }
        let middle = next[start] as usize;
        let end = next[middle] as usize;
        next[start] = end as u32;
        pair_ranks[middle] = NONE;
        if end < n {
            prev[end] = start as u32;
            let after = next[end] as usize;
            pair_ranks[start] = rank_of(&piece[start..after]);
            if pair_ranks[start] != NONE {
                heap.push(key(pair_ranks[start], start));
            }
        } else {
            pair_ranks[start] = NONE;
        }
        let before = prev[start];
        if before != NONE {
            let before = before as usize;
            pair_ranks[before] = rank_of(&piece[before..end]);
            if pair_ranks[before] != NONE {
                heap.push(key(pair_ranks[before], before));
            }
        }
    }

    let mut start = 0;
    while start < n {
        let end = next[start] as usize;
        emit(part_rank(vocab, &piece[start..end]));
        start = end;
    }
}
