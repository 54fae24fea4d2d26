function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when the request itself asked for the stream's usage chunk. */
export function callerAskedStreamUsage(body: Record<string, unknown>): boolean {
  return isRecord(body.stream_options) && body.stream_options.include_usage === true;
}

/** A copy of `body` that asks for the usage chunk, keeping the caller's other stream options. */
export function askForStreamUsage(body: Record<string, unknown>): Record<string, unknown> {
  return {
    ...body,
    stream_options: { ...(isRecord(body.stream_options) ? body.stream_options : {}), include_usage: true },
  };
}
