// The HTTP server: routing, authentication, failure injection, recording and counters.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { handleChatCompletion } from './chat-completions.js';
import { handleCompletion } from './completions.js';
import type { HandlerContext } from './context.js';
import { handleEmbeddings } from './embeddings.js';
import { BodyTooLargeError, errorBody, readBody, sendJson } from './http-utils.js';
import { isRecord } from './tokens.js';
import { answerFailure, answerModels } from './canned-answers.js';
import type {
  MockFailure,
  MockModelOptions,
  MockOpenAIOptions,
  MockOpenAIServer,
  MockStats,
  RecordedRequest,
} from './types.js';

/** Models served by default, named as OpenAI names them. */
export const DEFAULT_MODEL_NAMES: readonly string[] = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'o1',
  'o3',
  'o3-mini',
  'o4-mini',
  'gpt-4',
  'gpt-4-turbo',
  'gpt-3.5-turbo',
  'gpt-3.5-turbo-instruct',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-embedding-ada-002',
];

const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
const REDACTED_HEADERS = new Set([
  'authorization',
  'api-key',
  'openai-organization',
  'openai-project',
]);

type Handler = (context: HandlerContext) => Promise<void>;

const ROUTES: Record<string, Handler> = {
  '/v1/chat/completions': handleChatCompletion,
  '/v1/completions': handleCompletion,
  '/v1/embeddings': handleEmbeddings,
};

function emptyStats(): MockStats {
  return {
    requests: 0,
    byPath: {},
    byModel: {},
    failuresInjected: 0,
    dropsInjected: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
}

/**
 * Starts an OpenAI-compatible HTTP/SSE server on a loopback address.
 *
 * Usage in responses is computed with js-tiktoken, independently of tollgate.
 *
 * @throws Error when `host` is not a loopback address.
 * @example
 * ```ts
 * const mock = await startMockOpenAI({ apiKey: 'sk-test' });
 * const client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test' });
 * await mock.close();
 * ```
 */
export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAIServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`Expected \`host\` to be a loopback address, got ${JSON.stringify(host)}.`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const models = new Map<string, MockModelOptions>(DEFAULT_MODEL_NAMES.map((name) => [name, {}]));
  for (const [name, settings] of Object.entries(options.models ?? {}))
    models.set(name, { ...settings });
  const failures: MockFailure[] = [];
  let drops = 0;
  let stats = emptyStats();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let sequence = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const method = request.method ?? 'GET';
    sequence += 1;
    const requestId = `req_mock_${sequence.toString(36)}_${process.pid.toString(36)}`;
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => !REDACTED_HEADERS.has(name))
        .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
    );
    stats.requests += 1;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;

    let rawBody: Buffer;
    try {
      rawBody = await readBody(request, maxBodyBytes);
    } catch (error) {
      requests.push({ method, path, headers, body: undefined });
      if (error instanceof BodyTooLargeError) {
        const body = errorBody(
          `Request body is larger than ${maxBodyBytes} bytes.`,
          'invalid_request_error',
          'request_too_large',
        );
        sendJson(response, 413, body, { connection: 'close', 'x-request-id': requestId });
        response.on('finish', () => request.destroy());
      } else {
        response.destroy();
      }
      return;
    }
    let body: unknown;
    let parseFailed = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        parseFailed = true;
      }
    }
    requests.push({ method, path, headers, body });

    if (
      options.apiKey !== undefined &&
      request.headers.authorization !== `Bearer ${options.apiKey}`
    ) {
      const message =
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.';
      sendJson(response, 401, errorBody(message, 'invalid_request_error', 'invalid_api_key'), {
        'x-request-id': requestId,
      });
      return;
    }
    if (method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
      answerModels(response, path, [...models.keys()], requestId);
      return;
    }
    const route = ROUTES[path];
    if (route === undefined || method !== 'POST') {
      const message = `Invalid URL (${method} ${path})`;
      sendJson(response, 404, errorBody(message, 'invalid_request_error', null), {
        'x-request-id': requestId,
      });
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      stats.failuresInjected += 1;
      answerFailure(response, failure, requestId);
      return;
    }
    if (parseFailed || !isRecord(body)) {
      const message =
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)";
      sendJson(response, 400, errorBody(message, 'invalid_request_error', null), {
        'x-request-id': requestId,
      });
      return;
    }
    const drop = drops > 0;
    if (drop) {
      drops -= 1;
      stats.dropsInjected += 1;
    }
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    await route({
      response,
      body,
      requestId,
      signal: controller.signal,
      drop,
      model: (name) => models.get(name),
      recordUsage: (model, promptTokens, completionTokens) => {
        const entry = (stats.byModel[model] ??= {
          requests: 0,
          promptTokens: 0,
          completionTokens: 0,
        });
        entry.requests += 1;
        entry.promptTokens += promptTokens;
        entry.completionTokens += completionTokens;
      },
    });
  };

  const server = createServer((request, response) => {
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    response.on('close', () => {
      stats.inFlight -= 1;
    });
    handle(request, response).catch(() => {
      if (!response.headersSent)
        sendJson(response, 500, errorBody('The mock server failed.', 'server_error', null));
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    requests,
    stats: () => structuredClone(stats),
    failNext(count, failure) {
      assertCount('failNext', count);
      for (let index = 0; index < count; index += 1) failures.push({ ...failure });
    },
    dropNext(count) {
      assertCount('dropNext', count);
      drops += count;
    },
    configureModel(model, settings) {
      models.set(model, { ...models.get(model), ...settings });
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
      drops = 0;
      stats = { ...emptyStats(), inFlight: stats.inFlight, maxInFlight: stats.inFlight };
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

function assertCount(field: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(
      `Expected \`${field}\` count to be a non-negative integer, got ${String(count)}.`,
    );
  }
}
