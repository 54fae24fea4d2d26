import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CORPUS_DIR = fileURLToPath(new URL('../../examples/corpus/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path);
      return name.endsWith('.txt') ? [path] : [];
    });
}

/**
 * The demo corpus (real text in many languages, and code) interleaved file by file across
 * languages, so every prefix mixes scripts the way a real workload does.
 */
export function corpusText(): string {
  const byLanguage = readdirSync(CORPUS_DIR)
    .sort()
    .filter((name) => statSync(join(CORPUS_DIR, name)).isDirectory())
    .map((dir) => files(join(CORPUS_DIR, dir)).map((path) => readFileSync(path, 'utf8')));
  const parts: string[] = [];
  for (let round = 0; byLanguage.some((texts) => round < texts.length); round++) {
    for (const texts of byLanguage) if (round < texts.length) parts.push(texts[round]!);
  }
  return parts.join('\n\n');
}

/** The longest prefix of `text` whose UTF-8 size is at most `bytes` (never splits a character). */
export function prefixOfBytes(text: string, bytes: number): string {
  const encoded = Buffer.from(text, 'utf8').subarray(0, bytes);
  return encoded.toString('utf8').replace(/\ufffd$/u, '');
}

/** `count` chunks of about `bytes` each, taken one after another from `text`. */
export function chunksOfBytes(text: string, count: number, bytes: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    if (Buffer.byteLength(rest) < bytes) rest = text;
    const chunk = prefixOfBytes(rest, bytes);
    chunks.push(chunk);
    rest = rest.slice(chunk.length);
  }
  return chunks;
}
