/**
 * A seeded generator of texts where tokenizers tend to go wrong: many scripts, whitespace runs,
 * digit runs, code, emoji and ZWJ sequences, contractions in both cases, special-token text,
 * combining marks and lone surrogates.
 *
 * Three things are left out on purpose, where js-tiktoken's JavaScript regexes differ from
 * tiktoken's (Rust regex): U+0085 (white space in tiktoken, not in JS), U+FEFF (the opposite), and
 * `'ſ` (tiktoken's case-insensitive contractions match the long s; js-tiktoken spells them out in
 * ASCII). We follow tiktoken: `tokenizer-regex-semantics.test.ts` and the Rust test
 * `pieces_match_tiktoken_regex.rs` (against tiktoken's own regex engine) cover them.
 */

/** mulberry32: a small, fast, seeded PRNG. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'the', 'Hello', 'WORLD', 'naïve', 'café', 'Straße', 'Größe', 'ÉCOLE', 'señor', 'Ærø',
  'привет', 'МИР', 'Ελληνικά', 'ΣΟΦΙΑ', 'مرحبا', 'שלום', 'नमस्ते', 'दुनिया', 'สวัสดี', 'ภาษาไทย',
  '日本語', 'こんにちは', 'カタカナ', '中文字符', '我爱自然语言处理', '한국어', '안녕하세요', 'ǅemal', 'ǈubljana',
  'İstanbul', 'ıi', 'ﬁne', 'Ⅻ', 'ⅻ', 'ꓲꓵ', 'ʼn', 'ǰ', 'ﬀ', 'ǲ', 'µ', 'ẞ', 'ſ', 'ᾼ',
];
const CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "'Re", "’s", "'x", "''"];
const SPECIALS = ['<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|endofprompt|>', '<|im_start|>', '<|im_end|>', '<|', '|>'];
const SPACES = [' ', '  ', '   ', '\t', '\t\t', '\n', '\n\n', '\r\n', '\r', ' \n', '\n ', '\u00a0', '\u3000', '\u2003', '\u2009', '\u202f', '\u205f', '\u1680', '\u2028', '\u2029', '\u000b', '\u000c'];
const DIGITS = ['0', '12', '123', '1234', '12345', '3.14159', '1,000,000', '٠١٢٣', '０１２', '१२३', '²³', '½', 'Ⅷ', '⑦'];
const CODE = [
  'def f(x):\n    return x**2', 'const a = [1, 2, 3].map((v) => v * 2);', '{"key": "value", "n": [1,2,3]}',
  '<div class="x">Hi</div>', 'SELECT * FROM t WHERE id = 42;', 'fn main() { println!("{}", 1); }',
  'if (a && b || !c) { x += 1; }', '#include <stdio.h>', 'https://example.com/a/b?q=1&r=2#f', '// comment\n',
  '/* block */', 'a/b/c//d', '$HOME/.config', 'x->y', 'std::vec::Vec<u8>', '@decorator', '#!/bin/sh\n',
];
const EMOJI = ['👍', '😀', '🤣', '👨‍👩‍👧‍👦', '👩🏽‍💻', '🏳️‍🌈', '🇯🇵', '🇫🇷', '❤️', '✌🏿', '🧑‍🤝‍🧑', '🐈‍⬛'];
const MARKS = ['\u0301', '\u0308', '\u0327', 'e\u0301', 'a\u030a', '\u093f', '\u0e31', '\u200d', '\u200b', '\u20dd'];
const PUNCT = ['!', '?', '...', '!!!???', '—', '–', '«', '»', '“', '”', '„', '¿', '¡', '。', '、', '？', '·', '•', '§', '©', '%', '&', '*', '"', '(', ')', '[', ']', '/', '\\', '|', '~', '^', '`', "'"];
const LONE_SURROGATES = ['\ud83d', '\udc00', '\ud800x', 'y\udfff'];

const GROUPS: readonly (readonly string[])[] = [WORDS, WORDS, WORDS, CONTRACTIONS, SPECIALS, SPACES, SPACES, DIGITS, CODE, EMOJI, MARKS, PUNCT, PUNCT, LONE_SURROGATES];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomCodePoint(random: () => number): string {
  const ranges: [number, number][] = [[0x20, 0x7e], [0xa1, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f], [0xe00, 0xe7f], [0x1100, 0x11ff], [0x3040, 0x30ff], [0x4e00, 0x4fff], [0xac00, 0xacff], [0x1f300, 0x1f6ff], [0x2000, 0x206f]];
  const [low, high] = pick(random, ranges);
  const codePoint = low + Math.floor(random() * (high - low + 1));
  return codePoint === 0x85 || codePoint === 0xfeff ? 'z' : String.fromCodePoint(codePoint);
}

/** One random text of roughly `maxParts` fragments. */
export function randomText(random: () => number, maxParts = 24): string {
  const parts = 1 + Math.floor(random() * maxParts);
  let text = '';
  for (let i = 0; i < parts; i++) {
    const roll = random();
    if (roll < 0.08) text += randomCodePoint(random);
    else if (roll < 0.12) text += pick(random, WORDS).toUpperCase();
    else if (roll < 0.15) text += pick(random, SPACES).repeat(1 + Math.floor(random() * 6));
    else if (roll < 0.17) text += pick(random, ['a', 'Z', '.', ' ', '1', '日', '\n', '-', '=']).repeat(2 + Math.floor(random() * 60));
    else text += pick(random, pick(random, GROUPS));
    if (random() < 0.35) text += pick(random, [' ', '', '', '\n', ',', '.']);
  }
  return text;
}

/** The seed for a run: `TOLLGATE_TEST_SEED` when set, else a fresh one. */
export function testSeed(): number {
  const fromEnv = process.env['TOLLGATE_TEST_SEED'];
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
}
