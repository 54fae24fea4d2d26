import { Headers } from 'undici';
import { target, type DirectRequest } from './fetch-request.js';

/** Most redirects one fetch follows. */
const MAX_REDIRECTS = 20;
/** Headers that describe a body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];
/** Headers never sent on to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'host'];

/**
 * The request a redirect (`status` to `location`) leads to, by the rules `fetch` follows: a POST
 * answered 301 or 302, and anything but GET or HEAD answered 303, become a GET without a body;
 * credentials stay behind when the origin changes; the 21st redirect is an error.
 */
export function nextHop(request: DirectRequest, location: string, status: number, hops: number): DirectRequest | Error {
  if (hops >= MAX_REDIRECTS) return new Error('redirect count exceeded');
  let url: URL;
  try {
    url = new URL(location, request.url);
  } catch {
    return new Error('the redirect location is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return new Error('URL scheme must be a HTTP(S) scheme');
  if (url.username !== '' || url.password !== '') return new Error('the redirect location holds credentials');
  const next = target(url);
  const headers = new Headers(request.headers);
  let { method, body } = request;
  if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
    method = 'GET';
    body = null;
    for (const name of BODY_HEADERS) headers.delete(name);
  }
  if (next.origin !== request.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  return { ...request, ...next, method, body, headers };
}
