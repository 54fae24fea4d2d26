// Redis key names of a limiter's state, and which Redis errors are answers rather than outages.

/** `%`, `:`, braces and lone surrogates, escaped in the parts of a key name. */
const SPECIAL = /[%:{}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `part` with `%`, `:`, `{`, `}` and lone surrogates written as `%` and their UTF-16 unit in hex,
 * so a limiter name and a key can never run into each other (`a:{b}` + `c` against `a` + `b}:c`),
 * the hash tag of a key is exactly the key (Redis Cluster), and no two keys meet in UTF-8.
 */
export function escapeKeyPart(part: string): string {
  return part.replace(SPECIAL, (unit) => `%${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The state hash and lease set of `key` of the limiter `name` under `prefix`. */
export function redisKeysOf(prefix: string, name: string, key: string): [string, string] {
  const base = `${prefix}:${escapeKeyPart(name)}:{${escapeKeyPart(key)}}`;
  return [`${base}:state`, `${base}:leases`];
}

/** Error replies that mean Redis cannot serve now (the outage policy applies to these). */
const UNAVAILABLE_REPLIES = /^(BUSY|LOADING|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/**
 * True for an error reply from a Redis that is up (ioredis `ReplyError`, node-redis
 * `ErrorReply`), such as `WRONGTYPE` when a key holds another kind of value: an answer about the
 * data, not an outage, so no outage policy should hide it.
 */
export function isAnswerError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  if (name !== 'ReplyError' && name !== 'ErrorReply') return false;
  return !UNAVAILABLE_REPLIES.test(String((error as { message?: unknown }).message ?? ''));
}
