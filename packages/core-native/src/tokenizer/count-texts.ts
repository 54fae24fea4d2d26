// TEMPORARY (replaced by the native/fallback backend within this session): js-tiktoken stand-in
// so that chat counting can be developed in parallel. Never ship this file as it is.
import { getEncoding } from 'js-tiktoken';
import type { EncodingName } from './encoding-name.js';

/** Counts each text with `encoding` (ordinary text, specials not allowed); one crossing. */
export function countTextsForEncoding(encoding: EncodingName, texts: readonly string[]): Uint32Array {
  const enc = getEncoding(encoding);
  const out = new Uint32Array(texts.length);
  texts.forEach((text, i) => {
    out[i] = enc.encode(text, [], []).length;
  });
  return out;
}
