import type { APIPromise } from 'openai/core/api-promise';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Stream } from 'openai/streaming';
import { ChatCall } from './chat-call.js';
import type { EncodingName } from './core.js';
import { trackAPIPromise } from './tracked-api-promise.js';
import { trackStream } from './tracked-stream.js';
import type { UsageTracker } from './usage-tracker.js';

type CreateFunction = (body: Record<string, unknown>, options?: unknown) => APIPromise<unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbort(error: unknown): boolean {
  return (
    isRecord(error) &&
    (error.constructor?.name === 'APIUserAbortError' || error.name === 'AbortError')
  );
}

/**
 * Builds the tracked `chat.completions.create`: counts the prompt, asks for stream usage when the
 * caller did not, calls the SDK's own `create`, and settles exactly one record per call.
 */
export function createTrackedChatCreate(
  originalCreate: CreateFunction,
  resource: unknown,
  client: unknown,
  tracker: UsageTracker,
  defaultEncoding: EncodingName,
): CreateFunction {
  return function create(body, options) {
    if (!isRecord(body)) return originalCreate.call(resource, body, options);
    const streamed = body.stream === true;
    const callerAskedUsage =
      isRecord(body.stream_options) && body.stream_options.include_usage === true;
    const injectUsage = streamed && !callerAskedUsage;
    const call = new ChatCall(tracker, body, streamed, defaultEncoding);

    const requestBody = injectUsage
      ? {
          ...body,
          stream_options: {
            ...(isRecord(body.stream_options) ? body.stream_options : {}),
            include_usage: true,
          },
        }
      : body;
    const original = originalCreate.call(resource, requestBody, options);

    return trackAPIPromise<unknown, unknown>(original, client, {
      onRequestError(error) {
        call.settle({ status: isAbort(error) ? 'aborted' : 'error', error });
      },
      onParseError(error) {
        call.settle({ status: isAbort(error) ? 'aborted' : 'error', error, responded: true });
      },
      onParsed(data, props) {
        call.requestId = props.response.headers.get('x-request-id') ?? undefined;
        if (streamed)
          return trackStream(data as Stream<ChatCompletionChunk>, call, injectUsage, client);
        const completion = data as ChatCompletion;
        if (typeof completion?.model === 'string') call.responseModel = completion.model;
        const text =
          completion?.choices?.map((choice) => choice.message?.content ?? '').join('') ?? '';
        call.settle({
          status: 'ok',
          usage: completion?.usage,
          streamedText: text,
          responded: true,
        });
        return data;
      },
    });
  };
}
