/**
 * Stable error codes raised by `@tollgate/openai`.
 *
 * A code never changes meaning once released; match on it rather than on the message.
 */
export type TollgateOpenAIErrorCode =
  | 'ERR_ALREADY_WRAPPED'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_UNSUPPORTED_CLIENT'
  /** The prompt plus the reserved output cannot fit the context window of any deployment. */
  | 'ERR_CONTEXT_WINDOW_EXCEEDED'
  /** No deployment of the model (or of its fallbacks) could be tried: all cooling, busy or filtered. */
  | 'ERR_NO_DEPLOYMENT';

const brand = Symbol.for('tollgate.openai.error');

/** Structured details of a {@link TollgateOpenAIError}; never holds an API key or prompt text. */
export interface TollgateOpenAIErrorDetails {
  /** The option or argument that was wrong, e.g. `options.onUsage`. */
  readonly field?: string;
  /** A short, safe rendering of the value that came. */
  readonly value?: string;
  readonly cause?: unknown;
  /** For `ERR_CONTEXT_WINDOW_EXCEEDED`: prompt tokens plus the output tokens reserved. */
  readonly requestedTokens?: number;
  /** For `ERR_CONTEXT_WINDOW_EXCEEDED`: the largest context window among the candidates. */
  readonly contextWindow?: number;
}

/**
 * The error class of `@tollgate/openai`. Errors of the OpenAI SDK itself (`RateLimitError`, ...)
 * are never replaced by this class; they reach the caller as the SDK threw them.
 */
export class TollgateOpenAIError extends Error {
  readonly code: TollgateOpenAIErrorCode;
  readonly field: string | undefined;
  readonly value: string | undefined;
  readonly requestedTokens: number | undefined;
  readonly contextWindow: number | undefined;

  constructor(
    code: TollgateOpenAIErrorCode,
    message: string,
    details: TollgateOpenAIErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TollgateOpenAIError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
    this.requestedTokens = details.requestedTokens;
    this.contextWindow = details.contextWindow;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for an error of this package, even one thrown by another copy of it. */
  static isInstance(error: unknown): error is TollgateOpenAIError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[brand] === true
    );
  }
}

/** Renders a value for an error message without ever showing a long string in full. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** Builds the standard "Expected `field` to be ..., got ...." error. */
export function invalidArgument(
  field: string,
  expected: string,
  value: unknown,
): TollgateOpenAIError {
  const shown = describeValue(value);
  return new TollgateOpenAIError(
    'ERR_INVALID_ARGUMENT',
    `Expected \`${field}\` to be ${expected}, got ${shown}.`,
    {
      field,
      value: shown,
    },
  );
}
