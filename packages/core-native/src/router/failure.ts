import { OUTCOME } from './engine.js';

/**
 * How a failed call is judged. `rate_limit`, `server`, `timeout` and `connection` count towards a
 * cooldown (a 429 cools at once); `client` (a 4xx other than 429) never cools and is not retried;
 * `context_window` and `content_policy` switch to their fallbacks; `aborted` is the caller's.
 */
export type FailureKind =
  | 'rate_limit'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'client'
  | 'aborted'
  | 'context_window'
  | 'content_policy';

/** A classified failure: kind, HTTP status when there was one, and `Retry-After` in ms. */
export interface ClassifiedFailure {
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const CONTENT_POLICY_CODES = new Set(['content_policy_violation', 'content_filter']);

type Loose = Record<string, unknown>;

const asRecord = (value: unknown): Loose | undefined =>
  typeof value === 'object' && value !== null ? (value as Loose) : undefined;

function header(headers: unknown, name: string): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') return (getter.call(headers, name) as string | null) ?? undefined;
  const value = (headers as Loose)[name];
  return typeof value === 'string' ? value : undefined;
}

/** `Retry-After` of a response's headers in ms (`retry-after-ms`, seconds or an HTTP date). */
export function parseRetryAfterMs(headers: unknown, nowMs: number = Date.now()): number | undefined {
  const exact = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(exact) && exact > 0) return exact;
  const value = header(headers, 'retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds > 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) && date > nowMs ? date - nowMs : undefined;
}

function codesOf(error: unknown): { names: string[]; codes: string[] } {
  const names: string[] = [];
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined; depth += 1) {
    const record = asRecord(current);
    if (record === undefined) break;
    if (typeof record['name'] === 'string') names.push(record['name']);
    if (typeof record['code'] === 'string') codes.push(record['code']);
    current = record['cause'];
  }
  return { names, codes };
}

/**
 * Classifies an error thrown by a call on a deployment. Duck-typed: it reads `status`, `headers`,
 * `code`, `error.code`, `name` and the `cause` chain, so it works for the `openai` SDK's errors,
 * `fetch` errors and undici errors without importing any of them.
 */
export function classifyFailure(error: unknown, nowMs: number = Date.now()): ClassifiedFailure {
  const record = asRecord(error) ?? {};
  const status = typeof record['status'] === 'number' ? record['status'] : undefined;
  const retryAfterMs = parseRetryAfterMs(record['headers'], nowMs);
  const result = (kind: FailureKind): ClassifiedFailure => ({ kind, status, retryAfterMs });
  const { names, codes } = codesOf(error);

  if (names.some((name) => name === 'AbortError' || name === 'APIUserAbortError') || codes.includes('ERR_ABORTED'))
    return result('aborted');
  if (status === 429) return result('rate_limit');
  if (status === 408) return result('timeout');
  if (status !== undefined && status >= 500) return result('server');
  if (status !== undefined && status >= 400) {
    const inner = asRecord(record['error']);
    const code = [record['code'], inner?.['code']].find((value) => typeof value === 'string') as string | undefined;
    const message = typeof record['message'] === 'string' ? record['message'] : '';
    if (code === 'context_length_exceeded' || /maximum context length|context window/i.test(message))
      return result('context_window');
    if (code !== undefined && CONTENT_POLICY_CODES.has(code)) return result('content_policy');
    return result('client');
  }
  if (names.some((name) => name === 'APIConnectionTimeoutError' || name === 'TimeoutError') || codes.some((code) => TIMEOUT_CODES.has(code)))
    return result('timeout');
  if (names.includes('APIConnectionError') || codes.some((code) => CONNECTION_CODES.has(code))) return result('connection');
  return result('client');
}

/** The engine's outcome code for a failure kind. */
export function outcomeOf(kind: FailureKind): number {
  switch (kind) {
    case 'rate_limit':
      return OUTCOME.rate_limit;
    case 'server':
      return OUTCOME.server;
    case 'timeout':
      return OUTCOME.timeout;
    case 'connection':
      return OUTCOME.connection;
    case 'aborted':
      return OUTCOME.aborted;
    default:
      return OUTCOME.client;
  }
}
