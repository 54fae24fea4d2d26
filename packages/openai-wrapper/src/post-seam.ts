import type OpenAI from 'openai';
import { APIUserAbortError } from 'openai';
import { APIPromise } from 'openai/core/api-promise';
import type { Stream } from 'openai/streaming';
import type { CallOperation, CallPath, CallTarget } from './call-path/index.js';
import { takeCallSettings } from './call-options.js';
import type { EncodingName } from './core.js';
import { planRequest } from './request-plan.js';
import { replayResponse } from './replay-response.js';
import { askForStreamUsage, callerAskedStreamUsage } from './stream-usage.js';
import { observeBody } from './stream-observer.js';
import { openStream, trackStream, type OpenedStream } from './tracked-stream.js';

/** Paths of the endpoints the call path covers; every other request passes through untouched. */
const OPERATIONS: Readonly<Record<string, CallOperation>> = {
  '/chat/completions': 'chat.completions',
  '/responses': 'responses',
  '/embeddings': 'embeddings',
  '/completions': 'completions',
};

type Post = (this: unknown, path: string, options?: unknown) => APIPromise<unknown>;
type Props = { response: Response; [DATA]: unknown };
type Answer = { response: Response; data?: unknown; opened?: OpenedStream };

const DATA = Symbol('tollgate.data');

/** What the seam needs from the wrapper. */
export interface SeamSettings {
  readonly callPath: CallPath;
  readonly defaultEncoding: EncodingName;
  readonly defaultOutputTokens: number;
  /** The client for a deployment: same class and options, its URL and key, no SDK retries. */
  readonly clientFor: (target: CallTarget) => OpenAI;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const parseProps = async (_client: unknown, props: unknown): Promise<unknown> => (props as Props)[DATA];

/**
 * Replaces `client.post` (on this client object only) by one that sends the four covered
 * endpoints through the call path. The resource methods (`create`, `parse`, `stream` of chat,
 * responses, embeddings, completions) stay the SDK's own and keep building their results over
 * the APIPromise returned here, which is of the SDK's own class.
 */
export function installPostSeam(client: OpenAI, settings: SeamSettings): void {
  const originalPost = (client as unknown as { post: Post }).post;

  function post(this: unknown, path: string, options?: unknown): APIPromise<unknown> {
    const operation = OPERATIONS[path];
    if (operation === undefined || !isRecord(options) || !isRecord(options.body) || options.__binaryResponse === true)
      return originalPost.call(client, path, options);
    return runCall(operation, path, options);
  }

  function runCall(operation: CallOperation, path: string, options: Record<string, unknown>): APIPromise<unknown> {
    const taken = takeCallSettings(options);
    let { hideUsage } = taken;
    const rest = taken.rest;
    let body = rest.body as Record<string, unknown>;
    if (operation === 'completions' && body.stream === true && !callerAskedStreamUsage(body)) {
      body = askForStreamUsage(body);
      hideUsage = true;
    }
    const signal = (rest.signal ?? undefined) as AbortSignal | undefined;
    const plan = planRequest(operation, body, taken.settings, signal, settings.defaultEncoding, settings.defaultOutputTokens);

    const started = settings.callPath.start<Answer>(plan, async (attempt) => {
      const direct = attempt.target.id === undefined;
      const target = direct ? client : settings.clientFor(attempt.target);
      const attemptOptions = direct ? { ...rest, body } : { ...rest, body: { ...body, model: attempt.target.providerModel }, maxRetries: 0 };
      const { data, response } = await originalPost.call(target, path, attemptOptions).withResponse();
      if (!plan.streamed) return { response, data };
      return { response, opened: await openStream(data as Stream<unknown>, attempt.markFirstToken) };
    });

    const responsePromise = started.then((call): Props => {
      const { response } = call.value;
      const requestId = response.headers.get('x-request-id') ?? undefined;
      if (call.value.opened !== undefined) {
        const stream = trackStream(call.value.opened, operation, call, hideUsage, requestId, client);
        return { response, [DATA]: stream };
      }
      const data = call.value.data;
      const seen = observeBody(operation, data);
      call.finish({
        status: 'ok',
        usage: seen.usage,
        outputText: seen.textParts.join(''),
        responded: true,
        responseModel: seen.responseModel,
        requestId,
      });
      return { response: replayResponse(response, data), [DATA]: data };
    });
    // The SDK's own promise never rejects unobserved; neither does ours.
    responsePromise.catch(() => undefined);
    return new APIPromise(client, responsePromise as never, parseProps as never);
  }

  Object.defineProperty(client, 'post', { value: post, writable: true, configurable: true, enumerable: false });
}

/** The SDK's abort error, for aborts the call path sees (limiter waits, backoffs). */
export const sdkAbortError = (): unknown => new APIUserAbortError();
