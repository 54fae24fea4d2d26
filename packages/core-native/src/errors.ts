/**
 * Stable error codes raised by `@tollgate/core-native`.
 *
 * A code never changes meaning once released; match on it rather than on the message.
 */
export type TollgateErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNKNOWN_MODEL'
  | 'ERR_UNKNOWN_ENCODING'
  | 'ERR_UNKNOWN_SPECIAL_TOKEN'
  | 'ERR_INVALID_TOKEN_ID'
  | 'ERR_INVALID_MODEL_DATA'
  | 'ERR_INVALID_USAGE'
  | 'ERR_ABORTED'
  | 'ERR_NATIVE_UNAVAILABLE'
  | 'ERR_NATIVE_FAILURE'
  | 'ERR_NO_DEPLOYMENT'
  | 'ERR_LIMIT_TIMEOUT'
  | 'ERR_COST_EXCEEDS_CAPACITY'
  | 'ERR_LIMITER_CONFLICT'
  | 'ERR_LIMITER_CLOSED'
  | 'ERR_LIMITER_UNAVAILABLE'
  | 'ERR_LIMITER_BACKEND';

const brand = Symbol.for('tollgate.error');

/** Structured details that travel with a {@link TollgateError}; never holds secrets or prompt text. */
export interface TollgateErrorDetails {
  /** The option or argument that was wrong, e.g. `options.model`. */
  readonly field?: string;
  /** A short, safe rendering of the value that came (truncated, never prompt text). */
  readonly value?: string;
  readonly cause?: unknown;
}

/**
 * The root error class of tollgate. Every error the library raises on purpose is one of these,
 * with a stable {@link TollgateErrorCode} in `code`.
 */
export class TollgateError extends Error {
  readonly code: TollgateErrorCode;
  readonly field: string | undefined;
  readonly value: string | undefined;

  constructor(code: TollgateErrorCode, message: string, details: TollgateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TollgateError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for a tollgate error, even one thrown by another copy of the package. */
  static isInstance(error: unknown): error is TollgateError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
  }
}

/**
 * Renders a value for an error message: short, typed, and never the full text of a prompt.
 * Strings longer than 40 characters are cut and their length is given instead.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** Builds the standard "Expected X to be Y, got Z." error. */
export function invalidArgument(field: string, expected: string, value: unknown): TollgateError {
  const shown = describeValue(value);
  return new TollgateError('ERR_INVALID_ARGUMENT', `Expected \`${field}\` to be ${expected}, got ${shown}.`, {
    field,
    value: shown,
  });
}
