import { classTable, codePointAt, isLetter, isSymbol, NUMBER, SPACE, sequenceLength } from './char-classes.js';

/**
 * Scanning steps over UTF-8 bytes shared by the pre-tokenizers; a port of the Rust core's
 * `pretokenize/scan.rs`, kept step for step the same.
 */
export class Scanner {
  readonly bytes: Uint8Array;
  private readonly classes = classTable();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Class of the character at `i`; -1 at the end. */
  classAt(i: number): number {
    return i < this.bytes.length ? this.classes[codePointAt(this.bytes, i)]! : -1;
  }

  codePointAt(i: number): number {
    return i < this.bytes.length ? codePointAt(this.bytes, i) : -1;
  }

  lengthAt(i: number): number {
    return sequenceLength(this.bytes[i]!);
  }

  runEnd(i: number, accept: (cls: number) => boolean): number {
    while (i < this.bytes.length && accept(this.classAt(i))) i += this.lengthAt(i);
    return i;
  }

  numbersEnd(i: number, limit: number): number {
    for (let taken = 0; taken < limit && this.classAt(i) === NUMBER; taken++) i += this.lengthAt(i);
    return i;
  }

  asciiRunEnd(i: number, accept: readonly number[]): number {
    while (i < this.bytes.length && accept.includes(this.bytes[i]!)) i++;
    return i;
  }

  /** `'s|'t|'re|'ve|'m|'ll|'d` after the apostrophe at `apostrophe`; the end, or -1. */
  contractionEnd(apostrophe: number, ignoreCase: boolean): number {
    if (this.bytes[apostrophe] !== 0x27) return -1;
    const i = apostrophe + 1;
    if (i >= this.bytes.length) return -1;
    const firstLength = this.lengthAt(i);
    const first = fold(this.codePointAt(i), ignoreCase);
    const second = fold(this.codePointAt(i + firstLength), ignoreCase);
    if (first === 's' || first === 't' || first === 'm' || first === 'd') return i + firstLength;
    if (((first === 'r' || first === 'v') && second === 'e') || (first === 'l' && second === 'l')) {
      return i + firstLength + 1;
    }
    return -1;
  }

  /** `\s*[\r\n]+|\s+(?!\S)|\s+` (without the first when `newlineRule` is false). */
  whitespaceEnd(start: number, newlineRule: boolean): number {
    let i = start;
    let lastCharStart = start;
    let afterLastNewline = -1;
    while (i < this.bytes.length && this.classAt(i) === SPACE) {
      const byte = this.bytes[i]!;
      const length = this.lengthAt(i);
      if (newlineRule && (byte === 0x0d || byte === 0x0a)) afterLastNewline = i + length;
      lastCharStart = i;
      i += length;
    }
    if (afterLastNewline >= 0) return afterLastNewline;
    if (i >= this.bytes.length || lastCharStart === start) return i;
    return lastCharStart;
  }
}

const CONTRACTION_LETTERS = 'strevmld';

function fold(codePoint: number, ignoreCase: boolean): string {
  let lowered = codePoint;
  if (ignoreCase && codePoint === 0x17f) lowered = 0x73;
  else if (ignoreCase && codePoint >= 0x41 && codePoint <= 0x5a) lowered = codePoint + 0x20;
  const char = lowered >= 0 && lowered < 0x80 ? String.fromCharCode(lowered) : '';
  return char !== '' && CONTRACTION_LETTERS.includes(char) ? char : '';
}

export { isLetter, isSymbol };
