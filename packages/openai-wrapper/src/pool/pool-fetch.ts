import { Headers, fetch as undiciFetch, type Dispatcher, type Response } from 'undici';
import { abortReason, FetchResponseHandler } from './fetch-response-handler.js';
import { directRequest, dispatchOptions, needsPortable, portable, requestHeaders, type DirectRequest, type FetchInit, type FetchInput } from './fetch-request.js';
import { nextHop } from './redirect.js';

/** Sends `request` straight to `dispatcher`, following redirects (`hops` followed so far). */
function send(dispatcher: Dispatcher, request: DirectRequest, hops: number): Promise<Response> {
  const { signal } = request;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  return new Promise<Response>((resolve, reject) => {
    const handler = new FetchResponseHandler(
      { url: request.url, redirected: hops > 0, method: request.method, signal },
      {
        resolve,
        reject,
        redirect: (location, status) => {
          const next = nextHop(request, location, status, hops);
          if (next instanceof Error) reject(new TypeError('fetch failed', { cause: next }));
          else resolve(send(dispatcher, next, hops + 1));
        },
      },
    );
    try {
      dispatcher.dispatch(dispatchOptions(request), handler);
    } catch (error) {
      handler.onError(error as Error);
    }
  });
}

/**
 * The `fetch` of a dispatcher. A request with a string or byte body (what the `openai` SDK sends)
 * goes straight to `dispatcher.dispatch`, and its answer comes back as a WHATWG `Response` whose
 * body streams: undici's `fetch` turns every body into a stream and runs the whole fetch algorithm
 * around the request, which cost about three times the request itself (see `bench/`). Anything
 * else goes through undici's `fetch` on the same dispatcher. Either way, Node's own `Request` and
 * `FormData` (which undici 7 does not know) are converted first, and a bad header is refused
 * without repeating its value.
 *
 * Like `fetch`, the direct path sends `accept: *\/*` and a string body's
 * `content-type: text/plain;charset=UTF-8` when not given, follows redirects by fetch's rules,
 * and decodes gzip, deflate and br answers. Unlike it, it sends no `accept-encoding`,
 * `accept-language`, `sec-fetch-mode` or `user-agent` of its own, sends headers in sorted order,
 * gives a response whose headers can be changed, and an abort after the whole body arrived
 * leaves the unread body readable.
 */
export function dispatcherFetch(dispatcher: Dispatcher, direct = true): typeof undiciFetch {
  const viaFetch = (input: FetchInput, init: FetchInit | undefined): Promise<Response> => {
    // A Headers object is checked already; others are checked here so a bad value is not echoed.
    const given = init?.headers;
    if (given !== undefined && !(given instanceof Headers) && !(given instanceof globalThis.Headers)) requestHeaders(given);
    return undiciFetch(input, init === undefined ? { dispatcher } : { ...init, dispatcher });
  };
  const route = (input: FetchInput, init: FetchInit | undefined): Promise<Response> => {
    const request = direct ? directRequest(input, init ?? {}) : undefined;
    return request === undefined ? viaFetch(input, init) : send(dispatcher, request, 0);
  };
  const fetch = async (input: FetchInput, init?: FetchInit): Promise<Response> => {
    if (needsPortable(input, init)) [input, init] = await portable(input, init);
    return route(input, init);
  };
  // The `openai` SDK asks `fetch.Response` whether Node's own FormData encodes (it does, and this
  // fetch converts such bodies), before it sends file uploads through this fetch.
  return Object.assign(fetch, { Response: globalThis.Response }) as unknown as typeof undiciFetch;
}
