// Answers that need no generation: injected failures and the model list.
import type { ServerResponse } from 'node:http';
import { errorBody, sendJson } from './http-utils.js';
import type { MockFailure } from './types.js';

/** Answers with an injected failure: its status, `retry-after`, and an OpenAI-shaped body. */
export function answerFailure(
  response: ServerResponse,
  failure: MockFailure,
  requestId: string,
): void {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  if (failure.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(failure.retryAfterSeconds);
  const body =
    failure.body ??
    (failure.status === 429
      ? errorBody('Rate limit reached for requests (mock).', 'requests', 'rate_limit_exceeded')
      : errorBody(
          `The server had an error while processing your request (mock status ${failure.status}).`,
          'server_error',
          null,
        ));
  sendJson(response, failure.status, body, headers);
}

/** Answers `GET /v1/models` and `GET /v1/models/{id}`. */
export function answerModels(
  response: ServerResponse,
  path: string,
  names: string[],
  requestId: string,
): void {
  const describe = (id: string) => ({
    id,
    object: 'model',
    created: 1_700_000_000,
    owned_by: 'tollgate-mock',
  });
  if (path === '/v1/models') {
    sendJson(
      response,
      200,
      { object: 'list', data: names.map(describe) },
      { 'x-request-id': requestId },
    );
    return;
  }
  const id = decodeURIComponent(path.slice('/v1/models/'.length));
  if (names.includes(id)) {
    sendJson(response, 200, describe(id), { 'x-request-id': requestId });
    return;
  }
  const message = `The model \`${id}\` does not exist or you do not have access to it.`;
  sendJson(response, 404, errorBody(message, 'invalid_request_error', 'model_not_found'), {
    'x-request-id': requestId,
  });
}
