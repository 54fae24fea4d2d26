import type { EncodingName } from '../tokenizer/encoding-name.js';

// Ordered: the first matching prefix wins, so the o200k families come before the `gpt-4` prefix.
const FAMILY_RULES: ReadonlyArray<readonly [RegExp, EncodingName]> = [
  [/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o)(\b|-|$)/, 'o200k_base'],
  [/^(gpt-4|gpt-3\.5|gpt-35|text-embedding-|davinci-002|babbage-002)/, 'cl100k_base'],
  [/^(text-davinci-002|text-davinci-003|text-davinci-edit|code-(?!search-))/, 'p50k_base'],
  [/^(davinci|curie|babbage|ada|text-davinci-001|text-curie|text-babbage|text-ada|text-similarity-|text-search-|code-search-|gpt2$)/, 'r50k_base'],
];

/**
 * Encoding of an OpenAI model family by name prefix, as tiktoken maps them; `undefined` when no
 * family matches. `name` must already be lower-case and free of provider prefixes.
 */
export function encodingForFamily(name: string): EncodingName | undefined {
  for (const [pattern, encoding] of FAMILY_RULES) {
    if (pattern.test(name)) return encoding;
  }
  return undefined;
}
