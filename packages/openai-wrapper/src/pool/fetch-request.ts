import { FormData as UndiciFormData, Headers, Request as UndiciRequest, type Dispatcher, type fetch as undiciFetch } from 'undici';

export type FetchInput = Parameters<typeof undiciFetch>[0];
export type FetchInit = NonNullable<Parameters<typeof undiciFetch>[1]>;

/** A request the direct path can send. */
export interface DirectRequest {
  /** Without its fragment, as a response reports it. */
  readonly url: string;
  /** The URL's origin and path with query, as `dispatch` takes them. */
  readonly origin: string;
  readonly path: string;
  readonly method: Dispatcher.HttpMethod;
  readonly headers: Headers;
  readonly body: string | Uint8Array | null;
  readonly signal: AbortSignal | undefined;
}

/** Methods `fetch` upper-cases (any case); `PATCH` goes only in that case, as `fetch` sends others as given. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

function methodOf(method: unknown): Dispatcher.HttpMethod | undefined {
  if (method === undefined) return 'GET';
  if (typeof method !== 'string') return undefined;
  const upper = method.toUpperCase();
  if (NORMALIZED_METHODS.has(upper)) return upper as Dispatcher.HttpMethod;
  return method === 'PATCH' ? 'PATCH' : undefined;
}

/** A string, or a copy of the bytes (as `fetch` copies them at the call); `undefined` when the body needs `fetch`. */
function bodyOf(body: unknown): string | Uint8Array | null | undefined {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  if (ArrayBuffer.isView(body) && body.buffer instanceof ArrayBuffer) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return undefined;
}

/**
 * The request headers, checked as `fetch` checks them. A bad name or value is a `TypeError`
 * naming the header but never repeating the value, which may hold a secret (`fetch`'s own
 * message quotes it).
 */
export function requestHeaders(given: unknown): Headers {
  try {
    return new Headers(given as ConstructorParameters<typeof Headers>[0]);
  } catch (error) {
    const entries = given !== null && typeof given === 'object' ? (Symbol.iterator in given ? [...(given as Iterable<unknown>)] : Object.entries(given)) : [];
    for (const entry of entries) {
      const [name] = Array.isArray(entry) ? entry : [];
      try {
        new Headers([entry as [string, string]]);
      } catch {
        const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : 'a request header';
        throw new TypeError(`Expected request header ${shown} to have a valid name and value; the value is not shown.`);
      }
    }
    throw new TypeError('Expected `headers` to be a Headers object, a record or a list of name and value pairs.', { cause: error });
  }
}

/**
 * The request as the direct path sends it, or `undefined` when only undici's `fetch` can do what
 * is asked: a `Request` object, a URL other than http(s) or with credentials, a streamed, form or
 * blob body, a method `fetch` would not send as given, `redirect` other than `follow`, an
 * `integrity` check.
 */
export function directRequest(input: FetchInput, init: FetchInit): DirectRequest | undefined {
  if (typeof input !== 'string' && !(input instanceof URL)) return undefined;
  if ((init.redirect !== undefined && init.redirect !== 'follow') || (init.integrity !== undefined && init.integrity !== '')) return undefined;
  const method = methodOf(init.method);
  const body = bodyOf(init.body);
  if (method === undefined || body === undefined || (body !== null && (method === 'GET' || method === 'HEAD'))) return undefined;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return undefined;
  const headers = requestHeaders(init.headers);
  if (!headers.has('accept')) headers.set('accept', '*/*');
  if (typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  return { ...target(url), method, headers, body, signal: init.signal ?? undefined };
}

/** The URL fields of a {@link DirectRequest} for `url` (its fragment dropped). */
export function target(url: URL): Pick<DirectRequest, 'url' | 'origin' | 'path'> {
  url.hash = '';
  return { url: url.href, origin: url.origin, path: url.pathname + url.search };
}

/** The options `dispatch` takes for `request` (headers as name, value pairs). */
export function dispatchOptions(request: DirectRequest): Dispatcher.DispatchOptions {
  const headers: string[] = [];
  for (const [name, value] of request.headers) headers.push(name, value);
  return { origin: request.origin, path: request.path, method: request.method, headers, body: request.body };
}

/** A `Request` or `FormData` of Node's own `fetch` (another undici), which undici 7 takes for plain objects. */
function isForeign(value: unknown, own: abstract new (...args: never[]) => unknown, global: unknown): boolean {
  return typeof global === 'function' && value instanceof (global as abstract new (...args: never[]) => unknown) && !(value instanceof own);
}

/** What of Node's own `fetch` classes {@link portable} has to convert, if anything. */
function foreignPart(input: FetchInput, init: FetchInit | undefined): 'request' | 'form' | undefined {
  if (isForeign(input, UndiciRequest, globalThis.Request)) return 'request';
  return init !== undefined && isForeign(init.body, UndiciFormData, globalThis.FormData) ? 'form' : undefined;
}

/** True when {@link portable} has something to convert (so the common call skips an `await`). */
export function needsPortable(input: FetchInput, init: FetchInit | undefined): boolean {
  return foreignPart(input, init) !== undefined;
}

/**
 * `input` and `init` with Node's own `Request` and `FormData` (the global ones, which the
 * `openai` SDK builds for file uploads) turned into what undici 7 takes: a URL and options, and
 * the form encoded as multipart bytes with its content type. Anything else is returned as is.
 */
export async function portable(input: FetchInput, init: FetchInit | undefined): Promise<[FetchInput, FetchInit | undefined]> {
  const part = foreignPart(input, init);
  if (part === 'request') {
    const request = input as unknown as globalThis.Request;
    const carried: FetchInit = { method: request.method, headers: [...request.headers], redirect: request.redirect, signal: request.signal };
    if (request.body !== null && (init?.body === undefined || init.body === null)) carried.body = new Uint8Array(await request.arrayBuffer());
    return portable(request.url, { ...carried, ...init });
  }
  if (part === 'form') {
    const encoded = new globalThis.Response(init!.body as unknown as globalThis.FormData);
    const headers = requestHeaders(init!.headers);
    if (!headers.has('content-type')) headers.set('content-type', encoded.headers.get('content-type')!);
    return [input, { ...init, headers, body: new Uint8Array(await encoded.arrayBuffer()) }];
  }
  return [input, init];
}
