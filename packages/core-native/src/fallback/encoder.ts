import type { EncodingName } from '../tokenizer/encoding-name.js';
import { SPECIAL_TOKENS } from '../tokenizer/specials.js';
import { mergePiece } from './merge.js';
import { PIECE_END, type PatternName, type PieceEnd } from './pretokenize.js';
import { Scanner } from './scanner.js';
import { loadVocabulary, type Vocabulary } from './vocabulary.js';

const PATTERNS: Record<EncodingName, PatternName> = {
  o200k_base: 'o200k',
  cl100k_base: 'cl100k',
  p50k_base: 'gpt2',
  r50k_base: 'gpt2',
};

/** A text prepared once: its UTF-8 bytes (lone surrogates become U+FFFD) and a latin1 view. */
export interface PreparedText {
  readonly bytes: Uint8Array;
  readonly binary: string;
}

const utf8 = new TextEncoder();

export function prepareText(text: string): PreparedText {
  const bytes = utf8.encode(text);
  return { bytes, binary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') };
}

/** Receives each id; returning `false` stops the run. */
export type TokenSink = (id: number) => boolean;

/** The pure-TS encoder of one encoding: the same steps as the Rust core. */
export class FallbackEncoder {
  readonly name: EncodingName;
  private readonly vocabulary: Vocabulary;
  private readonly pieceEnd: PieceEnd;
  private readonly specials: readonly (readonly [string, number])[];

  constructor(name: EncodingName) {
    this.name = name;
    this.vocabulary = loadVocabulary(name);
    this.pieceEnd = PIECE_END[PATTERNS[name]];
    this.specials = SPECIAL_TOKENS[name];
  }

  /**
   * Encodes `input` from byte `from` until at least `budgetBytes` bytes are consumed (always at a
   * piece boundary) or the sink stops. Returns where it stopped; `input.bytes.length` when done,
   * -1 when the sink stopped it.
   */
  run(input: PreparedText, from: number, budgetBytes: number, mask: number, sink: TokenSink): number {
    const stopAt = from + budgetBytes;
    let position = from;
    while (position < input.bytes.length && position < stopAt) {
      const [specialStart, specialIndex] = this.nextSpecial(input.binary, position, mask);
      const segmentEnd = specialIndex >= 0 ? specialStart : input.bytes.length;
      if (segmentEnd > position) {
        const reached = this.runOrdinary(input, position, segmentEnd, stopAt, sink);
        if (reached < 0) return -1;
        position = reached;
        if (position < segmentEnd) return position;
      }
      if (specialIndex >= 0 && position === specialStart) {
        const [text, id] = this.specials[specialIndex]!;
        if (!sink(id)) return -1;
        position += text.length;
      }
    }
    return position;
  }

  private runOrdinary(input: PreparedText, from: number, to: number, stopAt: number, sink: TokenSink): number {
    const scanner = new Scanner(input.bytes.subarray(0, to));
    let stopped = false;
    const emit = (id: number): void => {
      if (!stopped && !sink(id)) stopped = true;
    };
    let position = from;
    while (position < to && position < stopAt) {
      const end = this.pieceEnd(scanner, position);
      mergePiece(this.vocabulary, input.binary.slice(position, end), emit);
      if (stopped) return -1;
      position = end;
    }
    return position;
  }

  /** Leftmost allowed special at or after `from` (longest on a tie), as [start, index]. */
  private nextSpecial(binary: string, from: number, mask: number): [number, number] {
    let best: [number, number] = [-1, -1];
    if (mask === 0) return best;
    this.specials.forEach(([text], index) => {
      if ((mask & (1 << index)) === 0) return;
      const at = binary.indexOf(text, from);
      if (at < 0) return;
      const [bestAt, bestIndex] = best;
      if (bestIndex < 0 || at < bestAt || (at === bestAt && text.length > this.specials[bestIndex]![0].length)) {
        best = [at, index];
      }
    });
    return best;
  }

  /** The bytes of `ids`, or the index of the first id that is not a token. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array | { invalidIndex: number } {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index]!;
      let bytes = this.vocabulary.tokens[id];
      if (bytes === undefined) {
        const special = this.specials.find(([, specialId]) => specialId === id);
        if (special === undefined) return { invalidIndex: index };
        bytes = utf8.encode(special[0]);
      }
      parts.push(bytes);
      total += bytes.length;
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
