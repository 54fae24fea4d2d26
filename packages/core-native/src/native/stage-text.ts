// Hands a long text to the native side in parts, one per event-loop turn: converting 100 MB from
// a JS string to UTF-8 in one call holds the loop for about 180 ms; in 2 Mi-character parts each
// turn holds it for a few milliseconds.
import { abortError } from '../tokenizer/abort.js';
import type { NativeStagedText } from './binding.js';

/** Texts up to this many UTF-16 units are passed whole; longer ones in parts of this size. */
export const STAGE_PART_LENGTH = 2 * 1024 * 1024;

/** Resolves on the next turn of the event loop. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** True when `code` is the first half of a surrogate pair. */
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * Appends `text` to `staged` in parts of about {@link STAGE_PART_LENGTH}, yielding to the event
 * loop between parts and never splitting a surrogate pair (so the parts convert to UTF-8 exactly
 * as the whole text would). Rejects with `ERR_ABORTED` as soon as `signal` aborts.
 */
export async function stageText(staged: NativeStagedText, text: string, signal: AbortSignal | undefined): Promise<void> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + STAGE_PART_LENGTH, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    staged.append(text.slice(start, end));
    start = end;
    await nextTurn();
    if (signal?.aborted) throw abortError(signal.reason);
  }
}

/**
 * Cuts a batch into runs of consecutive texts of at most `partLength` UTF-16 units in all, each
 * run handed over in its own event-loop turn; a longer text is a run of its own (and is staged).
 * Returns `[start, end)` index pairs covering every text once, in order.
 */
export function batchParts(texts: readonly string[], partLength = STAGE_PART_LENGTH): [number, number][] {
  const parts: [number, number][] = [];
  let start = 0;
  let length = 0;
  for (let index = 0; index < texts.length; index += 1) {
    const size = texts[index]!.length;
    if (index > start && length + size > partLength) {
      parts.push([start, index]);
      [start, length] = [index, 0];
    }
    length += size;
  }
  if (start < texts.length) parts.push([start, texts.length]);
  return parts;
}
