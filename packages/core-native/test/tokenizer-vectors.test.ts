import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { countTokens, encode, getBackend, isEncodingName, type EncodingName } from '../src/index.js';

interface VectorCase {
  encoding: string;
  text: string;
  ids: number[];
}
interface LongCase {
  encoding: string;
  text: { repeat: string; times: number };
  count: number;
}
const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/shared-vectors/tokenizer.json', import.meta.url), 'utf8')) as {
  cases: VectorCase[];
  long: LongCase[];
};

function encodingOf(name: string): EncodingName {
  if (!isEncodingName(name)) throw new Error(`vector names an unknown encoding ${name}`);
  return name;
}

describe(`shared tokenizer vectors (backend ${getBackend()})`, () => {
  it.each(vectors.cases.map((c, index) => ({ ...c, index })))('case $index: $encoding $text', (c) => {
    const encoding = encodingOf(c.encoding);
    expect(Array.from(encode(c.text, { encoding }))).toEqual(c.ids);
    expect(countTokens(c.text, { encoding })).toBe(c.ids.length);
  });

  it.each(vectors.long)('long run: $encoding', (c) => {
    const text = c.text.repeat.repeat(c.text.times);
    expect(countTokens(text, { encoding: encodingOf(c.encoding) })).toBe(c.count);
  });
});
