import type { Duplex } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { OriginHealth } from './origin-health.js';
import type { RequestSlots } from './request-slots.js';

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * How a request that failed with `error` counts in health: a timeout, another error, or nothing
 * when its caller gave up (an abort or a cancelled body, which says nothing about the origin).
 */
function failureOf(error: unknown): 'error' | 'timeout' | 'aborted' {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (name === 'AbortError' || code === 'UND_ERR_ABORTED') return 'aborted';
  return typeof code === 'string' && TIMEOUT_CODES.has(code) ? 'timeout' : 'error';
}

/**
 * What both handler styles keep per request: the caller's handler, the status code, and whether
 * the request's result was recorded (in health) and its slot freed, which happens once.
 */
abstract class RequestTracker {
  protected status = 0;
  private settled = false;

  constructor(
    protected readonly inner: Handler,
    private readonly health: OriginHealth,
    private readonly slots: RequestSlots,
  ) {}

  protected settle(failure: 'error' | 'timeout' | 'aborted' | undefined): void {
    if (this.settled) return;
    this.settled = true;
    if (failure !== 'aborted') this.health.record(failure ?? (this.status >= 500 ? 'error' : 'ok'));
    this.slots.release();
  }
}

/**
 * Forwards every call of undici's callback-style handler API (the one `fetch` and
 * `Dispatcher.request` use) to the caller's handler, keeping the status code, and at the end of
 * the request (complete, error or upgrade) records the result once and frees its slot.
 *
 * A plain class instead of a Proxy: five fields per request and direct calls. Measured with
 * `Dispatcher.request` to loopback servers (interleaved runs on a shared 2-core machine), the
 * former Proxy version took 12–20% longer per request; this one is within 2–5% of a plain undici
 * `Agent`.
 */
export class TrackedHandler extends RequestTracker implements Handler {

  onConnect(abort: (error?: Error) => void, context?: unknown): void {
    (this.inner.onConnect as ((abort: (error?: Error) => void, context?: unknown) => void) | undefined)?.call(this.inner, abort, context);
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    this.status = statusCode;
    return this.inner.onHeaders!(statusCode, headers, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData!(chunk);
  }

  onComplete(trailers: string[] | null): void {
    this.settle(undefined);
    this.inner.onComplete!(trailers);
  }

  onError(error: Error): void {
    this.settle(failureOf(error));
    if (typeof this.inner.onError !== 'function') throw error;
    this.inner.onError(error);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.settle(undefined);
    this.inner.onUpgrade!(statusCode, headers, socket);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.inner.onBodySent?.(chunkSize, totalBytesSent);
  }

  onRequestSent(): void {
    (this.inner as { onRequestSent?: () => void }).onRequestSent?.();
  }
}

/**
 * The same bookkeeping for a handler written against undici's controller-style API
 * (`onRequestStart` … `onResponseEnd`), e.g. one passed by an interceptor. undici's pool turns it
 * back into the callback style, as it would the caller's own handler.
 */
export class TrackedControllerHandler extends RequestTracker implements Handler {

  onRequestStart(controller: Controller, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.settle(undefined);
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.status = statusCode;
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: IncomingHttpHeaders): void {
    this.settle(undefined);
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.settle(failureOf(error));
    this.inner.onResponseError?.(controller, error);
  }
}

/** Wraps `handler` in the tracker that speaks its API. */
export function trackHandler(handler: Handler, health: OriginHealth, slots: RequestSlots): Handler {
  return typeof handler.onRequestStart === 'function'
    ? new TrackedControllerHandler(handler, health, slots)
    : new TrackedHandler(handler, health, slots);
}
