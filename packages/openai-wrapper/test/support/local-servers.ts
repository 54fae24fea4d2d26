import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockOpenAI, type MockOpenAIServer } from '@tollgate/mock-openai-server';

/** A tiny HTTP server on 127.0.0.1 answering with `handle`; `url` ends in `/v1`. */
export interface ScriptedServer {
  readonly url: string;
  readonly requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startScriptedServer(
  handle: (request: IncomingMessage, response: ServerResponse, body: Record<string, unknown>) => void,
): Promise<ScriptedServer> {
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      requests.push({ path: request.url ?? '', body });
      handle(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with SSE headers, then drops the connection before any event. */
export function dropBeforeFirstEvent(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_drop' });
  response.flushHeaders();
  setTimeout(() => response.socket?.destroy(), 10);
}

/** Starts `count` mock OpenAI servers, each with its own API key. */
export async function startMocks(count: number): Promise<{ mocks: MockOpenAIServer[]; keys: string[] }> {
  const keys = Array.from({ length: count }, (_, index) => `sk-deployment-${index}-SECRET-${index * 7919}`);
  const mocks = await Promise.all(keys.map((apiKey) => startMockOpenAI({ apiKey })));
  return { mocks, keys };
}

/** An address nothing listens on: the wrapped client's own endpoint, never used by routed calls. */
export const UNUSED_BASE_URL = 'http://127.0.0.1:9/v1';
