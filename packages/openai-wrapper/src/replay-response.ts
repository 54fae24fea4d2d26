const BODY_MEMBERS = new Set(['body', 'bodyUsed', 'json', 'text', 'arrayBuffer', 'blob', 'formData', 'bytes', 'clone']);

/**
 * The response of a call whose body the wrapper already read: headers, status and the rest come
 * from `response`; the body (built on first use from `data`, as JSON) can be read again, so
 * `.asResponse()` keeps giving a readable response.
 */
export function replayResponse(response: Response, data: unknown): Response {
  let replay: Response | undefined;
  const body = (): Response =>
    (replay ??= new Response(JSON.stringify(data), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    }));
  return new Proxy(response, {
    get(target, property) {
      if (typeof property === 'string' && BODY_MEMBERS.has(property)) {
        const value = Reflect.get(body(), property) as unknown;
        return typeof value === 'function' ? value.bind(body()) : value;
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
