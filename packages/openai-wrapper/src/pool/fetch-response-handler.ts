import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { Headers, Response, type Dispatcher } from 'undici';

/** Statuses whose response has no body (the fetch standard's null-body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Statuses a `fetch` with `redirect: 'follow'` follows when a `Location` is given. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Body bytes buffered before reading from the socket pauses. */
const HIGH_WATER_BYTES = 64 * 1024;

/** What the handler needs to know about the request, and how it hands the outcome back. */
export interface FetchExchange {
  readonly url: string;
  readonly method: string;
  readonly signal: AbortSignal | undefined;
  resolve(response: Response): void;
  reject(error: unknown): void;
  /** The response is a redirect to follow: the caller sends the request again through undici's `fetch`. */
  redirect(): void;
}

/** The decoder of a `Content-Encoding` (one coding; others pass through as is). */
function decoderFor(encoding: string | null): Gunzip | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/** The reason a fetch aborted by `signal` rejects with, as `fetch` does. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * undici's callback-style handler that turns one dispatched request into a WHATWG `Response`
 * whose body streams the bytes as they arrive: what undici's `fetch` hands back, without the
 * fetch algorithm around it. Errors are shaped as `fetch` shapes them: `TypeError('fetch failed')`
 * before the headers, `TypeError('terminated')` on the body after, the signal's reason on abort.
 */
export class FetchResponseHandler implements Dispatcher.DispatchHandler {
  #abort: ((reason?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #body: ReadableStreamDefaultController<Uint8Array> | undefined;
  #decoder: Gunzip | undefined;
  /** Headers arrived (a `Response` or a redirect was handed back). */
  #answered = false;
  /** The request ended: completed, failed, aborted or its body cancelled. */
  #finished = false;
  readonly #onAbort = () => this.#fail(abortReason(this.exchange.signal!));

  constructor(private readonly exchange: FetchExchange) {
    exchange.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    if (this.exchange.signal?.aborted === true) this.#fail(abortReason(this.exchange.signal));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.#finished) return false;
    let response: Response;
    try {
      const headers = new Headers();
      for (let index = 0; index + 1 < rawHeaders.length; index += 2) headers.append(rawHeaders[index]!.toString('latin1'), rawHeaders[index + 1]!.toString('latin1'));
      if (REDIRECTS.has(statusCode) && headers.has('location')) {
        this.#answered = true;
        this.#finish();
        this.#abort?.(new Error('following a redirect through fetch'));
        this.exchange.redirect();
        return false;
      }
      this.#resume = resume;
      const empty = NULL_BODY.has(statusCode) || this.exchange.method === 'HEAD';
      response = new Response(empty ? null : this.#stream(headers.get('content-encoding')), { status: statusCode, statusText, headers });
    } catch (error) {
      // A header, status or reason phrase a Response cannot hold.
      this.#fail(new TypeError('fetch failed', { cause: error }));
      return false;
    }
    Object.defineProperty(response, 'url', { value: this.exchange.url, enumerable: true });
    this.#answered = true;
    this.exchange.resolve(response);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#finished || this.#body === undefined) return true;
    // A copy: undici may reuse the memory behind `chunk` once this returns.
    if (this.#decoder !== undefined) return this.#decoder.write(chunk);
    this.#body.enqueue(new Uint8Array(chunk));
    return (this.#body.desiredSize ?? 0) > 0;
  }

  onComplete(): void {
    if (this.#finished) return;
    this.#finish();
    if (this.#decoder !== undefined) this.#decoder.end();
    else this.#body?.close();
  }

  onError(error: Error): void {
    if (this.#finished) return;
    this.#fail(this.#answered ? new TypeError('terminated', { cause: error }) : new TypeError('fetch failed', { cause: error }), false);
  }

  /** The body stream, fed directly or through the decoder of `encoding`. */
  #stream(encoding: string | null): ReadableStream<Uint8Array> {
    const decoder = decoderFor(encoding);
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#body = controller;
        },
        pull: () => {
          if (decoder !== undefined) decoder.resume();
          else this.#resume?.();
        },
        cancel: () => {
          if (this.#finished) return;
          this.#finish();
          decoder?.destroy();
          this.#abort?.(new Error('the response body was cancelled'));
        },
      },
      { highWaterMark: HIGH_WATER_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    if (decoder !== undefined) {
      this.#decoder = decoder;
      decoder.on('data', (bytes: Buffer) => {
        this.#body!.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        if ((this.#body!.desiredSize ?? 0) <= 0) decoder.pause();
      });
      decoder.on('drain', () => this.#resume?.());
      decoder.once('end', () => this.#body!.close());
      decoder.once('error', (error) => this.#fail(new TypeError('terminated', { cause: error }), false));
    }
    return stream;
  }

  #finish(): void {
    this.#finished = true;
    this.exchange.signal?.removeEventListener('abort', this.#onAbort);
  }

  /** Ends the exchange with `reason`: rejects the fetch or errors the body, and stops the request. */
  #fail(reason: unknown, abortRequest = true): void {
    const first = !this.#finished;
    this.#finish();
    if (abortRequest) this.#abort?.(reason instanceof Error ? reason : new Error(String(reason)));
    if (!first && this.#answered) return;
    this.#decoder?.destroy();
    if (!this.#answered) {
      this.#answered = true;
      this.exchange.reject(reason);
      return;
    }
    try {
      this.#body?.error(reason);
    } catch {
      // The body was already closed or errored.
    }
  }
}
