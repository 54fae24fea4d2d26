import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';

import { ENCODING_NAMES, encode, getBackend } from '../src/index.js';
import { createRandom, randomText, testSeed } from './support/random-text.js';

const STRINGS_PER_ENCODING = 10_000;
const seed = testSeed();

describe(`ids equal js-tiktoken's on ${STRINGS_PER_ENCODING} random strings per encoding (backend ${getBackend()}, TOLLGATE_TEST_SEED=${seed})`, () => {
  process.stdout.write(`tokenizer equivalence: backend ${getBackend()}, seed ${seed}\n`);

  for (const encoding of ENCODING_NAMES) {
    it(encoding, () => {
      const reference = getEncoding(encoding);
      const random = createRandom(seed ^ encoding.length);
      const mismatches: string[] = [];
      for (let i = 0; i < STRINGS_PER_ENCODING; i++) {
        const text = randomText(random);
        const expected = reference.encode(text, [], []);
        const actual = Array.from(encode(text, { encoding }));
        if (actual.length !== expected.length || actual.some((id, k) => id !== expected[k])) {
          if (mismatches.length < 5) mismatches.push(`${JSON.stringify(text)}: got ${actual} want ${expected}`);
        }
      }
      expect(mismatches, `seed ${seed}`).toEqual([]);
    });
  }
});
