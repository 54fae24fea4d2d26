import { Headers, Response } from 'undici';

/** Where a response came from, as `fetch` reports it. */
export interface ResponseOrigin {
  readonly url: string;
  readonly redirected: boolean;
}

/** The headers of an answer as undici hands them over (name, value, name, value, ...). */
export function headersOf(rawHeaders: Buffer[]): Headers {
  const headers = new Headers();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) headers.append(rawHeaders[index]!.toString('latin1'), rawHeaders[index + 1]!.toString('latin1'));
  return headers;
}

/** Gives `response` (and its clones) the URL, `redirected` and type of a fetched response. */
function stamp(response: Response, origin: ResponseOrigin): Response {
  const clone = response.clone.bind(response);
  Object.defineProperties(response, {
    url: { value: origin.url, enumerable: true },
    redirected: { value: origin.redirected, enumerable: true },
    type: { value: 'basic', enumerable: true },
    clone: { value: () => stamp(clone(), origin) },
  });
  return response;
}

/**
 * The `Response` of an answer. The constructor refuses some answers `fetch` hands back (a status
 * from 600 to 999, a reason phrase with bytes above 0x7f); those get their status, reason and
 * `ok` set on the response itself.
 */
export function buildResponse(body: ReadableStream<Uint8Array> | null, status: number, statusText: string, headers: Headers, origin: ResponseOrigin): Response {
  let response: Response;
  try {
    response = new Response(body, { status, statusText, headers });
  } catch {
    response = new Response(body, { status: 200, headers });
    Object.defineProperties(response, {
      status: { value: status, enumerable: true },
      statusText: { value: statusText, enumerable: true },
      ok: { value: status >= 200 && status <= 299, enumerable: true },
    });
  }
  return stamp(response, origin);
}

/**
 * Cancels the body of a response dropped unread once it is garbage-collected, freeing its
 * connection (as undici's `fetch` does). A body a reader holds is left alone.
 */
const unread = new FinalizationRegistry<WeakRef<ReadableStream<Uint8Array>>>((held) => {
  const body = held.deref();
  if (body !== undefined && !body.locked) body.cancel().catch(() => undefined);
});

export function cancelWhenDropped(response: Response, body: ReadableStream<Uint8Array>): void {
  unread.register(response, new WeakRef(body));
}
