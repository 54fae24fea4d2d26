import type { APIPromise } from 'openai/core/api-promise';
import { HIDE_USAGE_KEY } from './call-options.js';
import { askForStreamUsage, callerAskedStreamUsage } from './stream-usage.js';

type CreateFunction = (body: Record<string, unknown>, options?: unknown) => APIPromise<unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The chat part of the adapter: for a stream whose caller did not ask for usage, asks for it and
 * marks the request so the call path hides the usage chunk again. Everything else (counting,
 * limits, routing, records) happens once, in the call path behind `client.post`.
 */
export function createChatCreate(originalCreate: CreateFunction, resource: unknown): CreateFunction {
  return function create(body, options) {
    if (!isRecord(body) || body.stream !== true || callerAskedStreamUsage(body)) return originalCreate.call(resource, body, options);
    const given = isRecord(options) ? options : {};
    const metadata = isRecord(given.__metadata) ? given.__metadata : {};
    return originalCreate.call(resource, askForStreamUsage(body), { ...given, __metadata: { ...metadata, [HIDE_USAGE_KEY]: true } });
  };
}
