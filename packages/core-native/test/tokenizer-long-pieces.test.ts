import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';

import { encode, getBackend } from '../src/index.js';
import { createRandom, testSeed } from './support/random-text.js';

// Pieces of 96 bytes and more take the heap merge path; js-tiktoken merges them with its own
// quadratic loop, so sizes stay at a few KB here.
const seed = testSeed();

function randomLetters(random: () => number, length: number, alphabet: string): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

describe(`long single pieces equal js-tiktoken's ids (backend ${getBackend()}, seed ${seed})`, () => {
  it.each(['o200k_base', 'cl100k_base', 'r50k_base'] as const)('%s', (encoding) => {
    const random = createRandom(seed);
    const reference = getEncoding(encoding);
    const texts = ['ab'.repeat(1500), 'aab'.repeat(800), '.-'.repeat(1200), '日本語'.repeat(600), 'Ωμέγα'.repeat(400)];
    for (let i = 0; i < 8; i++) texts.push(randomLetters(random, 1000 + i * 250, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'));
    for (const text of texts) {
      expect(Array.from(encode(text, { encoding })), `${text.slice(0, 30)}… seed ${seed}`).toEqual(reference.encode(text, [], []));
    }
  }, 120_000);
});
