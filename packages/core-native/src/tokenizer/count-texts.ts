import { activeBackend } from './active-backend.js';
import type { EncodingName } from './encoding-name.js';

/**
 * Counts each text with `encoding` (ordinary text, specials not allowed) in one crossing of the
 * native boundary, on the calling thread. Chat counting gathers every field of a chat into one
 * such call instead of one call per field.
 */
export function countTextsForEncoding(encoding: EncodingName, texts: readonly string[]): Uint32Array {
  return activeBackend().countMany(encoding, texts, 0);
}
