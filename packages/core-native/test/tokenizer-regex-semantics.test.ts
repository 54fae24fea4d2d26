import { describe, expect, it } from 'vitest';

import { ENCODING_NAMES, encode, type EncodingName } from '../src/index.js';

const ids = (encoding: EncodingName, ...pieces: string[]) =>
  pieces.flatMap((piece) => Array.from(encode(piece, { encoding })));

// tiktoken's regexes run on Rust's regex engine, where `\s` is Unicode White_Space: U+0085 is
// white space and U+FEFF is not. JavaScript's `\s`, used by JS tokenizers such as js-tiktoken,
// says the opposite, so they split these texts differently; and tiktoken's case-insensitive
// contractions match `'ſ` (long s folds to s). We follow tiktoken; the Rust test
// `pieces_match_tiktoken_regex.rs` checks our splits against tiktoken's regex engine itself.
describe('splitting follows tiktoken (Rust regex) semantics, not JavaScript regex semantics', () => {
  it.each(ENCODING_NAMES)('U+FEFF is a symbol in %s: " \\uFEFF" is one piece before "x"', (encoding) => {
    const actual = ids(encoding, ' \ufeffx');
    expect(actual).toEqual(ids(encoding, ' \ufeff', 'x'));
    expect(actual).not.toEqual(ids(encoding, ' ', '\ufeffx'));
  });

  it.each(ENCODING_NAMES)('U+0085 is white space in %s: " " and U+0085 are not one symbol piece', (encoding) => {
    const actual = ids(encoding, 'a \u0085b');
    expect(actual).not.toEqual(ids(encoding, 'a', ' \u0085', 'b'));
    expect(actual).toEqual(ids(encoding, 'a', ' ', '\u0085b'));
  });

  it("'ſ is a contraction in o200k_base, as (?i:'s) matches it", () => {
    const actual = ids('o200k_base', "x'ſ'ty");
    expect(actual).toEqual(ids('o200k_base', "x'ſ", "'ty"));
    // JavaScript's split: "x", "'ſ't", "y" (the long s is no contraction there).
    expect(actual).not.toEqual(ids('o200k_base', 'x', "'ſ't", 'y'));
  });
});
