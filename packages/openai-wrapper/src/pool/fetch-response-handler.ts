import { pipeline, Readable, type Transform } from 'node:stream';
import type { Dispatcher, Response } from 'undici';
import { decodersFor } from './content-decoding.js';
import { buildResponse, cancelWhenDropped, headersOf, type ResponseOrigin } from './fetch-response.js';

/** Statuses whose response has no body (the fetch standard's null-body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Statuses a `fetch` with `redirect: 'follow'` follows when a `Location` is given. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Body bytes buffered before reading from the socket pauses. */
const HIGH_WATER_BYTES = 64 * 1024;

/** How the handler hands the outcome back; it calls one of these, once. */
export interface FetchOutcome {
  resolve(response: Response): void;
  reject(error: unknown): void;
  /** Follows a redirect (called once the redirect's own body was read and dropped). */
  redirect(location: string, status: number): void;
}

/** What the handler needs to know about the request. */
export interface FetchRequestInfo extends ResponseOrigin {
  readonly method: string;
  readonly signal: AbortSignal | undefined;
}

/** The reason a fetch aborted by `signal` rejects with, as `fetch` does. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * What a request is stopped with when its caller gave up (aborted, or cancelled the body): named
 * `AbortError`, so the pools' health does not count it against the origin.
 */
class CallerAbort extends Error {
  override readonly name = 'AbortError';
}

type Stage = 'waiting' | 'redirecting' | 'streaming' | 'over';

/**
 * undici's callback-style handler that turns one dispatched request into a WHATWG `Response`
 * whose body streams the bytes as they arrive (decoded when a known `Content-Encoding` says so):
 * what undici's `fetch` hands back, without the fetch algorithm around it. Errors are shaped as
 * `fetch` shapes them: `TypeError('fetch failed')` before the answer, `TypeError('terminated')`
 * on the body after it, the signal's reason on abort. A 1xx answer is skipped; a redirect's body
 * is read and dropped, then {@link FetchOutcome.redirect} follows it.
 */
export class FetchResponseHandler implements Dispatcher.DispatchHandler {
  #stage: Stage = 'waiting';
  #abort: ((reason?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #redirect: [location: string, status: number] | undefined;
  #body: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** The body stream still takes chunks (not closed, errored or cancelled). */
  #bodyOpen = false;
  /** With decoding: the raw bytes go into `#source`, the decoded ones come out of `#decoded`. */
  #source: Readable | undefined;
  #decoded: Transform | undefined;
  /**
   * The outcome callbacks until one is called. Dropped then: they hold the promise, which holds
   * the response, and undici holds this handler until the body is read, so keeping them would
   * keep a response dropped unread from being collected (and its body from being cancelled).
   */
  #outcome: FetchOutcome | undefined;
  readonly #onAbort = () => this.#stop(abortReason(this.exchange.signal!), new CallerAbort('The caller aborted the request.'));

  constructor(private readonly exchange: FetchRequestInfo, outcome: FetchOutcome) {
    this.#outcome = outcome;
    exchange.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The outcome callbacks, once. */
  #takeOutcome(): FetchOutcome | undefined {
    const outcome = this.#outcome;
    this.#outcome = undefined;
    return outcome;
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    if (this.#stage === 'over') abort(new CallerAbort('The caller aborted the request.'));
    else if (this.exchange.signal?.aborted === true) this.#onAbort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.#stage !== 'waiting') return this.#stage !== 'over';
    // An informational answer (103 Early Hints, 102 Processing): the real one follows.
    if (statusCode < 200) return true;
    this.#resume = resume;
    try {
      const headers = headersOf(rawHeaders);
      const location = headers.get('location');
      if (REDIRECTS.has(statusCode) && location !== null) {
        this.#stage = 'redirecting';
        this.#redirect = [location, statusCode];
        return true;
      }
      const empty = NULL_BODY.has(statusCode) || this.exchange.method === 'HEAD';
      const body = empty ? null : this.#openBody(decodersFor(headers.get('content-encoding')));
      const response = buildResponse(body, statusCode, statusText, headers, this.exchange);
      if (body !== null) cancelWhenDropped(response, body);
      this.#stage = 'streaming';
      this.#takeOutcome()?.resolve(response);
      return true;
    } catch (error) {
      // Headers a Response cannot hold, or too many content codings.
      this.#stop(new TypeError('fetch failed', { cause: error }), error as Error);
      return false;
    }
  }

  onData(chunk: Buffer): boolean {
    if (this.#stage !== 'streaming' || !this.#bodyOpen) return true;
    // A copy: undici may reuse the memory behind `chunk` once this returns.
    const bytes = new Uint8Array(chunk);
    if (this.#source !== undefined) return this.#source.push(bytes);
    this.#body!.enqueue(bytes);
    return (this.#body!.desiredSize ?? 0) > 0;
  }

  onComplete(): void {
    const stage = this.#finish();
    if (stage === 'redirecting') this.#takeOutcome()?.redirect(...this.#redirect!);
    else if (stage === 'streaming' && this.#source !== undefined) this.#source.push(null);
    else if (stage === 'streaming') this.#closeBody();
  }

  onError(error: Error): void {
    const stage = this.#finish();
    if (stage === 'waiting' || stage === 'redirecting') this.#takeOutcome()?.reject(new TypeError('fetch failed', { cause: error }));
    else if (stage === 'streaming') this.#errorBody(new TypeError('terminated', { cause: error }));
  }

  /** Marks the request over (once); returns the stage it was in, `over` when it already was. */
  #finish(): Stage {
    const stage = this.#stage;
    this.#stage = 'over';
    if (stage !== 'over') this.exchange.signal?.removeEventListener('abort', this.#onAbort);
    return stage;
  }

  /** Ends the exchange early with `reason` and stops the request with `stopWith`. */
  #stop(reason: unknown, stopWith: Error): void {
    const stage = this.#finish();
    if (stage === 'over') return;
    this.#abort?.(stopWith);
    if (stage === 'waiting' || stage === 'redirecting') this.#takeOutcome()?.reject(reason);
    else this.#errorBody(reason);
  }

  /** The body stream, fed directly or through `decoders`. */
  #openBody(decoders: Transform[]): ReadableStream<Uint8Array> {
    this.#bodyOpen = true;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#body = controller;
        },
        pull: () => {
          if (this.#decoded !== undefined) this.#decoded.resume();
          else this.#resume?.();
        },
        cancel: () => {
          this.#bodyOpen = false;
          this.#source?.destroy();
          this.#stop(undefined, new CallerAbort('The response body was cancelled.'));
        },
      },
      { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    if (decoders.length > 0) this.#decode(decoders);
    return stream;
  }

  #decode(decoders: Transform[]): void {
    const source = new Readable({ highWaterMark: HIGH_WATER_BYTES, read: () => this.#resume?.() });
    const decoded = pipeline([source, ...decoders] as unknown as [Readable, Transform], (error) => {
      if (error === null || error === undefined || !this.#bodyOpen) return;
      // A body that does not decode: the read fails as fetch's does, and the request stops.
      this.#errorBody(new TypeError('terminated', { cause: error }));
      this.#stop(undefined, error);
    }) as Transform;
    decoded.on('data', (bytes: Buffer) => {
      if (!this.#bodyOpen) return;
      this.#body!.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if ((this.#body!.desiredSize ?? 0) <= 0) decoded.pause();
    });
    decoded.once('end', () => this.#closeBody());
    this.#source = source;
    this.#decoded = decoded;
  }

  #closeBody(): void {
    if (!this.#bodyOpen) return;
    this.#bodyOpen = false;
    this.#body!.close();
  }

  #errorBody(reason: unknown): void {
    if (!this.#bodyOpen) return;
    this.#bodyOpen = false;
    this.#source?.destroy();
    this.#body!.error(reason);
  }
}
