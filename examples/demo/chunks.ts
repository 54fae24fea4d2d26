// Splits a text into chunks of a few KB, at paragraph boundaries where the text has them.

/** Largest chunk the demo sends, in UTF-8 bytes. @default 3500 */
export const DEFAULT_CHUNK_BYTES = 3500;

const PARAGRAPH_BREAK = /\n[ \t]*\r?\n/;

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts one over-long line into pieces of at most `maxBytes`, never inside a code point. */
function cutLine(line: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const character of line) {
    const characterBytes = byteLength(character);
    if (currentBytes + characterBytes > maxBytes && current.length > 0) {
      pieces.push(current);
      current = '';
      currentBytes = 0;
    }
    current += character;
    currentBytes += characterBytes;
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}

/** Joins consecutive pieces with `separator` as long as the result stays within `maxBytes`. */
function pack(pieces: readonly string[], separator: string, maxBytes: number): string[] {
  const packed: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  const separatorBytes = byteLength(separator);
  for (const piece of pieces) {
    const pieceBytes = byteLength(piece);
    const added = current.length === 0 ? pieceBytes : separatorBytes + pieceBytes;
    if (current.length > 0 && currentBytes + added > maxBytes) {
      packed.push(current.join(separator));
      current = [];
      currentBytes = 0;
    }
    currentBytes += current.length === 0 ? pieceBytes : separatorBytes + pieceBytes;
    current.push(piece);
  }
  if (current.length > 0) packed.push(current.join(separator));
  return packed;
}

/** Splits one paragraph that is too long: at line ends first, inside a line only when needed. */
function splitParagraph(paragraph: string, maxBytes: number): string[] {
  if (byteLength(paragraph) <= maxBytes) return [paragraph];
  const lines = paragraph
    .split('\n')
    .flatMap((line) => (byteLength(line) <= maxBytes ? [line] : cutLine(line, maxBytes)));
  return pack(lines, '\n', maxBytes);
}

/**
 * Splits `text` into chunks of at most `maxBytes` UTF-8 bytes. Paragraphs (separated by a blank
 * line) are kept whole and packed together; a paragraph longer than `maxBytes` is split at line
 * ends, and a single line longer than that between two code points. Whitespace-only chunks are
 * dropped; every chunk is trimmed.
 *
 * @param maxBytes largest chunk in UTF-8 bytes. @default 3500
 */
export function splitIntoChunks(text: string, maxBytes: number = DEFAULT_CHUNK_BYTES): string[] {
  const paragraphs = text
    .split(PARAGRAPH_BREAK)
    .map((paragraph) => paragraph.replace(/\s+$/, ''))
    .filter((paragraph) => paragraph.trim().length > 0)
    .flatMap((paragraph) => splitParagraph(paragraph, maxBytes));
  return pack(paragraphs, '\n\n', maxBytes)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.length > 0);
}
