/** The tiktoken encodings bundled with tollgate. */
export const ENCODING_NAMES = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const;

/** Name of a bundled tiktoken encoding. */
export type EncodingName = (typeof ENCODING_NAMES)[number];

/** True when `value` names a bundled encoding. */
export function isEncodingName(value: unknown): value is EncodingName {
  return typeof value === 'string' && (ENCODING_NAMES as readonly string[]).includes(value);
}
