import { readFileSync } from 'node:fs';

import type { EncodingName } from '../tokenizer/encoding-name.js';

/**
 * A vocabulary read from the bundled `.tiktoken` file: rank by token bytes (as a latin1 string,
 * one character per byte) and token bytes by rank. o200k_base takes ~200 ms to load, once.
 */
export interface Vocabulary {
  readonly rankOf: ReadonlyMap<string, number>;
  readonly tokens: readonly (Uint8Array | undefined)[];
}

const loaded = new Map<EncodingName, Vocabulary>();

export function loadVocabulary(name: EncodingName): Vocabulary {
  const cached = loaded.get(name);
  if (cached !== undefined) return cached;

  const file = new URL(`../../data/encodings/${name}.tiktoken`, import.meta.url);
  const rankOf = new Map<string, number>();
  const tokens: (Uint8Array | undefined)[] = [];
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    const bytes = Buffer.from(line.slice(0, space), 'base64');
    const rank = Number(line.slice(space + 1));
    rankOf.set(bytes.toString('latin1'), rank);
    tokens[rank] = new Uint8Array(bytes);
  }
  const vocabulary = { rankOf, tokens };
  loaded.set(name, vocabulary);
  return vocabulary;
}
