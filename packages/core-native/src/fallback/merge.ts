import type { Vocabulary } from './vocabulary.js';

/**
 * Byte-pair merging of one piece, tiktoken's rule (lowest rank first, leftmost on ties); a port
 * of the Rust core's `bpe.rs`. Pieces are latin1 strings, one character per byte. Long pieces use
 * a binary heap with lazy deletion, O(n log n), where a plain scan would be quadratic.
 */
export const HEAP_THRESHOLD = 96;

const NONE = 0x7fffffff;

export function mergePiece(vocabulary: Vocabulary, piece: string, emit: (rank: number) => void): void {
  const whole = vocabulary.rankOf.get(piece);
  if (whole !== undefined) emit(whole);
  else if (piece.length < HEAP_THRESHOLD) mergeFlat(vocabulary, piece, emit);
  else mergeHeap(vocabulary, piece, emit);
}

function rankOrNone(vocabulary: Vocabulary, bytes: string): number {
  return vocabulary.rankOf.get(bytes) ?? NONE;
}

function partRank(vocabulary: Vocabulary, part: string): number {
  const rank = vocabulary.rankOf.get(part);
  if (rank === undefined) throw new Error('invariant: every merged part is in the vocabulary');
  return rank;
}

function mergeFlat(vocabulary: Vocabulary, piece: string, emit: (rank: number) => void): void {
  const bounds: number[] = [];
  for (let i = 0; i <= piece.length; i++) bounds.push(i);
  const ranks: number[] = [];
  for (let i = 0; i + 1 < piece.length; i++) ranks.push(rankOrNone(vocabulary, piece.slice(i, i + 2)));

  const pairRank = (j: number): number =>
    j + 2 < bounds.length ? rankOrNone(vocabulary, piece.slice(bounds[j], bounds[j + 2])) : NONE;
  for (;;) {
    let best = NONE;
    let at = 0;
    for (let j = 0; j < ranks.length; j++) {
      if (ranks[j]! < best) {
        best = ranks[j]!;
        at = j;
      }
    }
    if (best === NONE) break;
    bounds.splice(at + 1, 1);
    ranks.splice(at, 1);
    if (at < ranks.length) ranks[at] = pairRank(at);
    if (at > 0) ranks[at - 1] = pairRank(at - 1);
  }
  for (let k = 0; k + 1 < bounds.length; k++) {
    emit(partRank(vocabulary, piece.slice(bounds[k], bounds[k + 1])));
  }
}

/** Keys are `rank * 2^32 + start`: exact in a double for ranks < 2^20 and pieces < 4 GiB. */
const START_SCALE = 2 ** 32;

function mergeHeap(vocabulary: Vocabulary, piece: string, emit: (rank: number) => void): void {
  const n = piece.length;
  const next = new Uint32Array(n);
  const prev = new Int32Array(n);
  const pairRanks = new Int32Array(n);
  const heap = new MinHeap();
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    pairRanks[i] = i + 1 < n ? rankOrNone(vocabulary, piece.slice(i, i + 2)) : NONE;
    if (pairRanks[i] !== NONE) heap.push(pairRanks[i]! * START_SCALE + i);
  }

  for (let key = heap.pop(); key !== undefined; key = heap.pop()) {
    const rank = Math.floor(key / START_SCALE);
    const start = key - rank * START_SCALE;
    if (pairRanks[start] !== rank) continue;
    const middle = next[start]!;
    const end = next[middle]!;
    next[start] = end;
    pairRanks[middle] = NONE;
    if (end < n) {
      prev[end] = start;
      pairRanks[start] = rankOrNone(vocabulary, piece.slice(start, next[end]));
      if (pairRanks[start] !== NONE) heap.push(pairRanks[start]! * START_SCALE + start);
    } else {
      pairRanks[start] = NONE;
    }
    const before = prev[start]!;
    if (before >= 0) {
      pairRanks[before] = rankOrNone(vocabulary, piece.slice(before, end));
      if (pairRanks[before] !== NONE) heap.push(pairRanks[before]! * START_SCALE + before);
    }
  }

  for (let start = 0; start < n; start = next[start]!) {
    emit(partRank(vocabulary, piece.slice(start, next[start])));
  }
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly keys: number[] = [];

  push(key: number): void {
    const keys = this.keys;
    let i = keys.length;
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      i = parent;
    }
    keys[i] = key;
  }

  pop(): number | undefined {
    const keys = this.keys;
    const last = keys.pop();
    if (last === undefined || keys.length === 0) return last;
    const top = keys[0]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= keys.length) break;
      const right = left + 1;
      const child = right < keys.length && keys[right]! < keys[left]! ? right : left;
      if (keys[child]! >= last) break;
      keys[i] = keys[child]!;
      i = child;
    }
    keys[i] = last;
    return top;
  }
}
