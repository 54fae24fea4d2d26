import { Headers, fetch as undiciFetch, type Dispatcher, type Response } from 'undici';
import { FetchResponseHandler, abortReason } from './fetch-response-handler.js';

type FetchInput = Parameters<typeof undiciFetch>[0];
type FetchInit = NonNullable<Parameters<typeof undiciFetch>[1]>;

/** Methods `fetch` upper-cases (any case) and `PATCH` (exact case only, as `fetch` leaves others). */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** A request the direct path can send: what `dispatch` needs, and the URL the response reports. */
interface DirectRequest {
  readonly url: string;
  readonly dispatch: Dispatcher.DispatchOptions;
  readonly signal: AbortSignal | undefined;
}

function methodOf(init: FetchInit): string | undefined {
  const method = init.method ?? 'GET';
  if (typeof method !== 'string') return undefined;
  const upper = method.toUpperCase();
  if (NORMALIZED_METHODS.has(upper)) return upper;
  return method === 'PATCH' ? method : undefined;
}

/** The body as bytes or a string `fetch` would send as is (a copy of bytes, as `fetch` takes), or `undefined` when it needs `fetch`. */
function bodyOf(body: unknown): string | Uint8Array | null | undefined {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return undefined;
}

/**
 * The request as the direct path sends it, or `undefined` when only undici's `fetch` can do
 * what is asked: a `Request` object, a URL other than http(s) or with credentials, a streamed,
 * form or blob body, a method `fetch` would not send as given, `redirect` other than `follow`.
 * Throws what `fetch` rejects with for bad headers.
 */
function directRequest(input: FetchInput, init: FetchInit): DirectRequest | undefined {
  if (typeof input !== 'string' && !(input instanceof URL)) return undefined;
  if (init.redirect !== undefined && init.redirect !== 'follow') return undefined;
  const method = methodOf(init);
  const body = bodyOf(init.body);
  if (method === undefined || body === undefined || (body !== null && (method === 'GET' || method === 'HEAD'))) return undefined;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return undefined;
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  if (!headers.has('accept')) headers.set('accept', '*/*');
  if (typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  url.hash = '';
  const signal = init.signal ?? undefined;
  return { url: url.href, signal, dispatch: { origin: url.origin, path: url.pathname + url.search, method: method as Dispatcher.HttpMethod, headers: flat, body } };
}

/**
 * The `fetch` of a dispatcher. A request with a string or byte body (what the `openai` SDK sends)
 * goes straight to `dispatcher.dispatch`, and its answer comes back as a WHATWG `Response` whose
 * body streams: undici's `fetch` turns every body into a stream and runs the whole fetch algorithm
 * around the request, which cost about three times the request itself (see `bench/`). Anything
 * else, and a redirect to follow, goes through undici's `fetch` on the same dispatcher.
 *
 * Like `fetch`, it sends `accept: *\/*` and a string body's `content-type: text/plain;charset=UTF-8`
 * when not given; unlike it, it asks for no compression (it sends no `accept-encoding`), and it
 * decodes a gzip, deflate or br response all the same.
 */
export function dispatcherFetch(dispatcher: Dispatcher, direct = true): typeof undiciFetch {
  const viaFetch = (input: FetchInput, init?: FetchInit) => undiciFetch(input, init === undefined ? { dispatcher } : { ...init, dispatcher });
  if (!direct) return viaFetch;
  return (input, init) => {
    let request: DirectRequest | undefined;
    try {
      request = directRequest(input, init ?? {});
    } catch (error) {
      return Promise.reject(error);
    }
    if (request === undefined) return viaFetch(input, init);
    const { signal } = request;
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise<Response>((resolve, reject) => {
      const handler = new FetchResponseHandler({
        url: request.url,
        method: request.dispatch.method,
        signal,
        resolve,
        reject,
        redirect: () => resolve(viaFetch(input, init)),
      });
      try {
        dispatcher.dispatch(request.dispatch, handler);
      } catch (error) {
        handler.onError(error as Error);
      }
    });
  };
}
