import type { EncodingName } from './encoding-name.js';

/**
 * Special tokens of each encoding, as (text, id), in the order of the Rust core's tables: bit `i`
 * of a special mask allows entry `i`.
 */
export const SPECIAL_TOKENS: Readonly<Record<EncodingName, readonly (readonly [string, number])[]>> = {
  o200k_base: [
    ['<|endoftext|>', 199_999],
    ['<|endofprompt|>', 200_018],
  ],
  cl100k_base: [
    ['<|endoftext|>', 100_257],
    ['<|fim_prefix|>', 100_258],
    ['<|fim_middle|>', 100_259],
    ['<|fim_suffix|>', 100_260],
    ['<|endofprompt|>', 100_276],
  ],
  p50k_base: [['<|endoftext|>', 50_256]],
  r50k_base: [['<|endoftext|>', 50_256]],
};
