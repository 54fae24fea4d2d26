import { readFileSync } from 'node:fs';

/** Character classes, the same numbering as the Rust core's `CharClass`. */
export const OTHER = 0;
export const UPPER = 1;
export const LOWER = 2;
export const OTHER_LETTER = 3;
export const MARK = 4;
export const NUMBER = 5;
export const SPACE = 6;

let table: Uint8Array | undefined;

/**
 * Class of every code point, read once from `data/unicode/char-classes.txt` (the file the Rust
 * core embeds at build time), so both backends split text identically. 1.1 MB, built in ~5 ms.
 */
export function classTable(): Uint8Array {
  if (table !== undefined) return table;
  const source = readFileSync(new URL('../../data/unicode/char-classes.txt', import.meta.url), 'utf8');
  const classes = new Uint8Array(0x110000);
  for (const line of source.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [first, last, cls] = line.split(' ');
    classes.fill(Number(cls), parseInt(first!, 16), parseInt(last!, 16) + 1);
  }
  table = classes;
  return classes;
}

export function isLetter(cls: number): boolean {
  return cls === UPPER || cls === LOWER || cls === OTHER_LETTER;
}

/** `[^\s\p{L}\p{N}]`. */
export function isSymbol(cls: number): boolean {
  return cls === OTHER || cls === MARK;
}

/** Byte length of the UTF-8 sequence that starts with `lead`. */
export function sequenceLength(lead: number): number {
  return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** The code point of the valid UTF-8 sequence at `i`. */
export function codePointAt(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return lead;
  if (lead < 0xe0) return ((lead & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
  if (lead < 0xf0) {
    return ((lead & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
  }
  const high = ((lead & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12);
  return high | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
}
