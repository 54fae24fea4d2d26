import { isLetter, isSymbol, LOWER, MARK, NUMBER, OTHER_LETTER, UPPER } from './char-classes.js';
import { Scanner } from './scanner.js';

/** Which regex an encoding splits its text with; see the Rust core's `pretokenize/` modules. */
export type PatternName = 'gpt2' | 'cl100k' | 'o200k';

/** The end of the piece that starts at `start` (a port of the Rust core's `piece_end`). */
export type PieceEnd = (scanner: Scanner, start: number) => number;

const isNewline = (codePoint: number): boolean => codePoint === 0x0d || codePoint === 0x0a;
const isNumber = (cls: number): boolean => cls === NUMBER;

/** Start of the symbol run of ` ?[^\s\p{L}\p{N}]+`, or -1 when there is none at `start`. */
function symbolsStart(scanner: Scanner, start: number, codePoint: number): number {
  const next = start + scanner.lengthAt(start);
  if (codePoint === 0x20 && isSymbol(scanner.classAt(next))) return next;
  return isSymbol(scanner.classAt(start)) ? start : -1;
}

function cl100kPieceEnd(scanner: Scanner, start: number): number {
  const codePoint = scanner.codePointAt(start);
  const cls = scanner.classAt(start);
  const length = scanner.lengthAt(start);

  const contraction = scanner.contractionEnd(start, true);
  if (contraction >= 0) return contraction;

  if (isLetter(cls)) return scanner.runEnd(start, isLetter);
  if (!isNewline(codePoint) && cls !== NUMBER && isLetter(scanner.classAt(start + length))) {
    return scanner.runEnd(start + length, isLetter);
  }

  if (cls === NUMBER) return scanner.numbersEnd(start, 3);

  const symbols = symbolsStart(scanner, start, codePoint);
  if (symbols >= 0) return scanner.asciiRunEnd(scanner.runEnd(symbols, isSymbol), [0x0d, 0x0a]);

  return scanner.whitespaceEnd(start, true);
}

const isUpper = (cls: number): boolean => cls === UPPER || cls === OTHER_LETTER || cls === MARK;
const isLower = (cls: number): boolean => cls === LOWER || cls === OTHER_LETTER || cls === MARK;

function withContraction(scanner: Scanner, end: number): number {
  const contraction = scanner.contractionEnd(end, true);
  return contraction >= 0 ? contraction : end;
}

/** o200k alternative 1 from `i`: upper* lower+ contraction?; -1 when it does not match. */
function upperThenLower(scanner: Scanner, i: number): number {
  let end = i;
  let lastBoth = -1;
  while (end < scanner.length) {
    const cls = scanner.classAt(end);
    if (!isUpper(cls)) break;
    const length = scanner.lengthAt(end);
    if (isLower(cls)) lastBoth = end + length;
    end += length;
  }
  if (end < scanner.length && isLower(scanner.classAt(end))) {
    return withContraction(scanner, scanner.runEnd(end, isLower));
  }
  return lastBoth >= 0 ? withContraction(scanner, lastBoth) : -1;
}

/** o200k alternative 2 from `i`: upper+ lower* contraction?; -1 when it does not match. */
function upperRun(scanner: Scanner, i: number): number {
  const end = scanner.runEnd(i, isUpper);
  return end > i ? withContraction(scanner, scanner.runEnd(end, isLower)) : -1;
}

function o200kPieceEnd(scanner: Scanner, start: number): number {
  const codePoint = scanner.codePointAt(start);
  const cls = scanner.classAt(start);
  const length = scanner.lengthAt(start);
  const mayPrefix = !isNewline(codePoint) && !isLetter(cls) && cls !== NUMBER;
  const afterPrefix = start + length;

  let word = mayPrefix && afterPrefix < scanner.length ? upperThenLower(scanner, afterPrefix) : -1;
  if (word < 0) word = upperThenLower(scanner, start);
  if (word < 0 && mayPrefix && afterPrefix < scanner.length) word = upperRun(scanner, afterPrefix);
  if (word < 0) word = upperRun(scanner, start);
  if (word >= 0) return word;

  if (cls === NUMBER) return scanner.numbersEnd(start, 3);

  const symbols = symbolsStart(scanner, start, codePoint);
  if (symbols >= 0) return scanner.asciiRunEnd(scanner.runEnd(symbols, isSymbol), [0x0d, 0x0a, 0x2f]);

  return scanner.whitespaceEnd(start, true);
}

function sameKindRun(scanner: Scanner, i: number, cls: number): number {
  if (isLetter(cls)) return scanner.runEnd(i, isLetter);
  if (cls === NUMBER) return scanner.runEnd(i, isNumber);
  if (isSymbol(cls)) return scanner.runEnd(i, isSymbol);
  return -1;
}

function gpt2PieceEnd(scanner: Scanner, start: number): number {
  const contraction = scanner.contractionEnd(start, false);
  if (contraction >= 0) return contraction;

  const next = start + scanner.lengthAt(start);
  if (scanner.codePointAt(start) === 0x20 && next < scanner.length) {
    const end = sameKindRun(scanner, next, scanner.classAt(next));
    if (end >= 0) return end;
  }
  const end = sameKindRun(scanner, start, scanner.classAt(start));
  if (end >= 0) return end;
  return scanner.whitespaceEnd(start, false);
}

export const PIECE_END: Record<PatternName, PieceEnd> = {
  gpt2: gpt2PieceEnd,
  cl100k: cl100kPieceEnd,
  o200k: o200kPieceEnd,
};
