import type { ServerResponse } from 'node:http';
import { sendJson, errorBody } from './http-utils.js';
import { encodingNameForModel, isRecord, type MockEncodingName } from './tokens.js';
import type { MockModelOptions } from './types.js';

/** What an endpoint handler gets for one request. */
export interface HandlerContext {
  readonly response: ServerResponse;
  readonly body: Record<string, unknown>;
  readonly requestId: string;
  /** Aborts when the client goes away before the response is finished. */
  readonly signal: AbortSignal;
  /** True when this response must be cut off mid-way (see `dropNext`). */
  readonly drop: boolean;
  /** Looks up a served model; `undefined` when the mock does not serve it. */
  model(name: string): MockModelOptions | undefined;
  /** Counts a finished generation in the stats. */
  recordUsage(model: string, promptTokens: number, completionTokens: number): void;
}

/** A served model with its settings resolved to numbers. */
export interface ResolvedModel {
  readonly name: string;
  readonly encoding: MockEncodingName;
  readonly latencyMs: number;
  readonly firstTokenDelayMs: number;
  readonly chunkDelayMs: number;
  readonly completionTokens: number;
  readonly streamUsage: boolean;
  readonly usageChunkChoices: 'empty' | 'null';
}

/** Answers 400 with an OpenAI-shaped `invalid_request_error` naming `param`. */
export function badRequest(context: HandlerContext, message: string, param: string | null): void {
  sendJson(context.response, 400, errorBody(message, 'invalid_request_error', null, param), {
    'x-request-id': context.requestId,
  });
}

/**
 * Resolves `body.model` to a served model, or answers 400 (missing) / 404 (unknown) as OpenAI
 * does and returns `undefined`.
 */
export function resolveModel(context: HandlerContext): ResolvedModel | undefined {
  const name = context.body.model;
  if (typeof name !== 'string' || name.length === 0) {
    badRequest(context, 'You must provide a model parameter.', 'model');
    return undefined;
  }
  const options = context.model(name);
  if (options === undefined) {
    const message = `The model \`${name}\` does not exist or you do not have access to it.`;
    sendJson(
      context.response,
      404,
      errorBody(message, 'invalid_request_error', 'model_not_found'),
      {
        'x-request-id': context.requestId,
      },
    );
    return undefined;
  }
  return {
    name,
    encoding: options.encoding ?? encodingNameForModel(name) ?? 'o200k_base',
    latencyMs: options.latencyMs ?? 0,
    firstTokenDelayMs: options.firstTokenDelayMs ?? 0,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    completionTokens: options.completionTokens ?? 16,
    streamUsage: options.streamUsage ?? true,
    usageChunkChoices: options.usageChunkChoices ?? 'empty',
  };
}

/** Reads an optional non-negative integer field; `null` when present but invalid. */
export function optionalCount(
  body: Record<string, unknown>,
  field: string,
): number | undefined | null {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : null;
}

/** True when the request asked for `stream_options.include_usage`. */
export function wantsStreamUsage(body: Record<string, unknown>): boolean {
  return isRecord(body.stream_options) && body.stream_options.include_usage === true;
}

/** Starts an SSE response with OpenAI's headers. */
export function startEventStream(context: HandlerContext): void {
  context.response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': context.requestId,
  });
}

/** Writes one `data: ...` event; returns false when the client is gone. */
export function writeEvent(
  context: HandlerContext,
  data: unknown,
  onWritten?: () => void,
): boolean {
  if (context.signal.aborted || context.response.destroyed) return false;
  const text = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
  if (onWritten === undefined) context.response.write(text);
  else context.response.write(text, onWritten);
  return true;
}

/** Destroys the socket under the response, as a dropped connection would. */
export function dropConnection(context: HandlerContext): void {
  context.response.socket?.destroy();
}
