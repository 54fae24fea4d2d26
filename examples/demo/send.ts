// Sends the demo's requests through the wrapped clients, a bounded number at a time.
import type { ProgressBar } from './progress.js';
import type { DemoRequest } from './requests.js';
import type { DemoServers } from './servers.js';

/** How one request went. */
export interface SentRequest {
  readonly request: DemoRequest;
  /** The server's `x-request-id`; it ties the request to its usage record. */
  readonly requestId: string | undefined;
  /** Characters of reply text received. */
  readonly replyCharacters: number;
  /** A safe description of the failure (class name and status), when the request failed. */
  readonly failure: string | undefined;
}

/** Options of {@link sendAll}. */
export interface SendOptions {
  /** Most requests in flight at once. */
  readonly concurrency: number;
  /** Stops sending new requests and aborts the ones in flight. */
  readonly signal?: AbortSignal;
  readonly progress?: ProgressBar;
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? `${error.name} (HTTP ${status})` : error.name;
}

/**
 * Sends one request. It gets its own AbortController, tied to the run's signal only while it is in
 * flight: the SDK adds an abort listener per request and never removes it from a shared signal.
 */
async function sendOne(servers: DemoServers, request: DemoRequest, runSignal?: AbortSignal) {
  const controller = new AbortController();
  const forward = () => controller.abort(runSignal?.reason);
  runSignal?.addEventListener('abort', forward, { once: true });
  try {
    return await sendWithSignal(servers, request, controller.signal);
  } finally {
    runSignal?.removeEventListener('abort', forward);
  }
}

async function sendWithSignal(servers: DemoServers, request: DemoRequest, signal: AbortSignal) {
  const client = servers.clientFor(request.model);
  const body = {
    model: request.model,
    messages: request.messages,
    ...(request.maxCompletionTokens === undefined
      ? {}
      : { max_completion_tokens: request.maxCompletionTokens }),
  };
  if (request.stream) {
    const { data: stream, request_id: requestId } = await client.chat.completions
      .create({ ...body, stream: true }, { signal })
      .withResponse();
    let replyCharacters = 0;
    for await (const chunk of stream)
      replyCharacters += chunk.choices[0]?.delta.content?.length ?? 0;
    return { requestId: requestId ?? undefined, replyCharacters };
  }
  const { data: completion, request_id: requestId } = await client.chat.completions
    .create(body, { signal })
    .withResponse();
  const replyCharacters = completion.choices[0]?.message.content?.length ?? 0;
  return { requestId: requestId ?? undefined, replyCharacters };
}

/**
 * Sends every request through the wrapped client of its model, at most `concurrency` at a time,
 * streaming the ones marked `stream`. A failed request is reported in its {@link SentRequest} and
 * does not stop the others; an aborted `signal` does, and the requests not sent are left out.
 */
export async function sendAll(
  servers: DemoServers,
  requests: readonly DemoRequest[],
  options: SendOptions,
): Promise<SentRequest[]> {
  const { concurrency, signal, progress } = options;
  const sent: SentRequest[] = [];
  let next = 0;

  const worker = async () => {
    while (next < requests.length && signal?.aborted !== true) {
      const request = requests[next] as DemoRequest;
      next += 1;
      progress?.started();
      try {
        const outcome = await sendOne(servers, request, signal);
        sent.push({ request, ...outcome, failure: undefined });
        progress?.ended(true);
      } catch (error) {
        sent.push({
          request,
          requestId: undefined,
          replyCharacters: 0,
          failure: describeFailure(error),
        });
        progress?.ended(false);
      }
    }
  };

  const workers = Math.max(1, Math.min(concurrency, requests.length));
  await Promise.all(Array.from({ length: workers }, worker));
  sent.sort((left, right) => left.request.index - right.request.index);
  return sent;
}
