import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

// The hashes tiktoken itself checks its downloads against; LICENSES.md lists them too.
const SHA256 = {
  o200k_base: '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d',
  cl100k_base: '223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7',
  p50k_base: '94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069',
  r50k_base: '306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930',
};

describe('bundled vocabularies are the files tiktoken uses', () => {
  it.each(Object.entries(SHA256))('%s', (name, expected) => {
    const bytes = readFileSync(new URL(`../data/encodings/${name}.tiktoken`, import.meta.url));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected);
  });
});
