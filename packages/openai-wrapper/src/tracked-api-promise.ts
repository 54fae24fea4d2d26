import type { APIPromise } from 'openai/core/api-promise';

/** What the SDK hands a response parser: the raw `Response` and the request options. */
export interface ResponseProps {
  readonly response: Response;
  readonly options: { readonly stream?: boolean };
}

/** Hooks that see one call's outcome; none of them may throw. */
export interface ResponseHooks<T, U> {
  /** The request failed before a response (HTTP error status, network, abort); the SDK's error. */
  onRequestError(error: unknown): void;
  /** A response arrived but its body could not be parsed (e.g. the connection dropped mid-body). */
  onParseError(error: unknown): void;
  /** The parsed body; returns what the caller receives. */
  onParsed(data: T, props: ResponseProps): U;
}

type Parser = (client: unknown, props: ResponseProps) => unknown;
type APIPromiseConstructor = new (
  client: unknown,
  responsePromise: Promise<ResponseProps>,
  parse: Parser,
) => unknown;

interface APIPromiseInternals {
  responsePromise?: unknown;
  parseResponse?: unknown;
  _thenUnwrap?: (transform: (data: unknown, props: ResponseProps) => unknown) => unknown;
}

/**
 * Returns an APIPromise of the SDK's own class that resolves like `original` after `hooks.onParsed`
 * has seen the parsed body, so `.withResponse()`, `.asResponse()` and `_request_id` keep working.
 *
 * How: the SDK's APIPromise is built from a response promise and a parse function, and parses
 * lazily, only when someone awaits it. We build a second one over the same response promise with a
 * parse function that calls the original parser and then `onParsed`; this is the mechanism of the
 * SDK's own `_thenUnwrap`, plus a catch around the original parser so that a body that fails to
 * parse is recorded too. It reads two fields that the SDK's types mark private (`responsePromise`,
 * `parseResponse`, present in openai 5 and 6); without them it falls back to `_thenUnwrap`
 * (parse failures then go unrecorded), and without that it returns `original` untracked.
 *
 * Known gap: a caller who only uses `.asResponse()` reads the body itself, so `onParsed` never
 * runs and the call yields no record.
 */
export function trackAPIPromise<T, U>(
  original: APIPromise<T>,
  client: unknown,
  hooks: ResponseHooks<T, U>,
): APIPromise<U> {
  const internals = original as unknown as APIPromiseInternals;
  const responsePromise = internals.responsePromise;
  const parseResponse = internals.parseResponse;

  if (responsePromise instanceof Promise) {
    responsePromise.then(undefined, (error: unknown) => hooks.onRequestError(error));
  }
  if (responsePromise instanceof Promise && typeof parseResponse === 'function') {
    const parse: Parser = async (parseClient, props) => {
      let data: T;
      try {
        data = (await (parseResponse as Parser)(parseClient, props)) as T;
      } catch (error) {
        hooks.onParseError(error);
        throw error;
      }
      return hooks.onParsed(data, props);
    };
    const Constructor = original.constructor as APIPromiseConstructor;
    return new Constructor(
      client,
      responsePromise as Promise<ResponseProps>,
      parse,
    ) as APIPromise<U>;
  }
  if (typeof internals._thenUnwrap === 'function') {
    return internals._thenUnwrap.call(original, (data, props) =>
      hooks.onParsed(data as T, props),
    ) as APIPromise<U>;
  }
  return original as unknown as APIPromise<U>;
}
