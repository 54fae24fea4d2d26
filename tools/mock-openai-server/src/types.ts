import type { MockEncodingName } from './tokens.js';

/** How one model served by the mock behaves; every field can be changed while the server runs. */
export interface MockModelOptions {
  /** Delay before a non-streaming response is sent, in milliseconds. @default 0 */
  latencyMs?: number;
  /** Streaming: delay before the first content chunk, in milliseconds. @default 0 */
  firstTokenDelayMs?: number;
  /** Streaming: delay between two content chunks, in milliseconds. @default 0 */
  chunkDelayMs?: number;
  /** Length of a reply in tokens when the request sets no lower `max_tokens`. @default 16 */
  completionTokens?: number;
  /** Encoding used for usage; by default derived from the model name, o200k_base when unknown. */
  encoding?: MockEncodingName;
  /** Streaming: whether `stream_options.include_usage` is honoured (false mimics servers that never send usage). @default true */
  streamUsage?: boolean;
  /** Streaming: `choices` of the final usage chunk, `[]` as OpenAI sends or `null` as some compatible servers do. @default 'empty' */
  usageChunkChoices?: 'empty' | 'null';
}

/** Options of {@link startMockOpenAI}. */
export interface MockOpenAIOptions {
  /** Address to bind; only loopback addresses are accepted. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 0 */
  port?: number;
  /** Models served in addition to (or overriding) the built-in OpenAI model list. */
  models?: Record<string, MockModelOptions>;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** Largest accepted request body in bytes; larger ones get 413. @default 20 * 1024 * 1024 */
  maxBodyBytes?: number;
}

/** An injected failure: the next requests are answered with this status and an OpenAI-shaped error. */
export interface MockFailure {
  /** HTTP status, e.g. 429, 500 or 503. */
  status: number;
  /** Sent as the `retry-after` header when set, in seconds. */
  retryAfterSeconds?: number;
  /** Replaces the default OpenAI-shaped error body. */
  body?: unknown;
}

/** One request the mock received; the Authorization header is never recorded. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case header names; `authorization` and `api-key` removed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, or `undefined` for a GET or an unparsable body. */
  readonly body: unknown;
}

/** Counters of a running mock server. */
export interface MockStats {
  requests: number;
  /** Requests answered per path, e.g. `{ '/v1/chat/completions': 3 }`. */
  byPath: Record<string, number>;
  /** Successful generations per model. */
  byModel: Record<string, { requests: number; promptTokens: number; completionTokens: number }>;
  failuresInjected: number;
  dropsInjected: number;
  inFlight: number;
  maxInFlight: number;
}

/** A running mock server. */
export interface MockOpenAIServer {
  /** Base URL ending in `/v1`, for `new OpenAI({ baseURL })`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  stats(): MockStats;
  /** Answers the next `count` API requests with `failure` instead of a result. */
  failNext(count: number, failure: MockFailure): void;
  /** Destroys the socket of the next `count` API requests in the middle of the response. */
  dropNext(count: number): void;
  /** Changes how `model` behaves from the next request on; adds the model when it is new. */
  configureModel(model: string, options: MockModelOptions): void;
  /** Forgets the recorded requests and zeroes the counters. */
  reset(): void;
  /** Stops listening, destroys every open socket, and resolves when the server is closed. */
  close(): Promise<void>;
}
