import { existsSync, readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

const copy = new URL('../../../fixtures/shared-vectors/', import.meta.url);
const shared = new URL('../../../../shared/vectors/', import.meta.url);

describe('the repo copy of the shared vectors', () => {
  it('holds every vector file', () => {
    expect(readdirSync(copy).sort()).toEqual(expect.arrayContaining(['chat.json', 'cost.json', 'tokenizer.json']));
  });

  it.skipIf(!existsSync(shared))('is byte for byte the shared folder beside the repo', () => {
    for (const name of readdirSync(shared)) {
      expect(readFileSync(new URL(name, copy)).equals(readFileSync(new URL(name, shared))), name).toBe(true);
    }
  });
});
