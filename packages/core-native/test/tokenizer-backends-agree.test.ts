import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createFallbackBackend } from '../src/fallback/fallback-backend.js';
import { loadNativeBinding } from '../src/native/binding.js';
import { createNativeBackend } from '../src/native/native-backend.js';
import { ENCODING_NAMES } from '../src/index.js';
import { createRandom, randomText, testSeed } from './support/random-text.js';

const binding = loadNativeBinding();
const corpusDir = new URL('../../../examples/corpus/', import.meta.url);

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return name.endsWith('.txt') ? [path] : [];
  });
}

describe.skipIf(binding instanceof Error)('native and fallback backends give identical ids', () => {
  const native = createNativeBackend(binding as Exclude<typeof binding, Error>);
  const fallback = createFallbackBackend();

  it.each(ENCODING_NAMES)('on the demo corpus and on long random texts (%s)', (encoding) => {
    const seed = testSeed();
    const random = createRandom(seed);
    const texts = Array.from({ length: 200 }, () => randomText(random, 400));
    const corpus = corpusFiles(corpusDir.pathname).slice(0, 40).map((path) => readFileSync(path, 'utf8'));
    for (const text of [...texts, ...corpus]) {
      expect(Array.from(fallback.encode(encoding, text, 0)), `seed ${seed}`).toEqual(Array.from(native.encode(encoding, text, 0)));
    }
  }, 120_000);
});
