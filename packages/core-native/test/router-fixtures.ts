// Helpers for the router tests: local HTTP servers that fail on command, a fake clock, and the
// engines to run every test on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { nativeRouterEngine } from '../src/router/native-engine.js';
import type { RoutedDeployment } from '../src/router/lease.js';

/** How a test server answers: 200, an error status (with Retry-After seconds), a dropped socket, or a 400 code. */
export type ServerMode =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; code?: string }
  | { kind: 'drop' }
  | { kind: 'stream-then-drop' };

export interface TestServer {
  url: string;
  hits: number;
  mode: ServerMode;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that answers POST / according to its `mode`. */
export async function startServer(mode: ServerMode = { kind: 'ok' }): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state: TestServer = { url: '', hits: 0, mode, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    state.hits += 1;
    const current = state.mode;
    request.resume();
    request.on('end', () => {
      if (current.kind === 'drop') return void response.socket?.destroy();
      if (current.kind === 'stream-then-drop') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"chunk":1}\n\n');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      if (current.kind === 'status') {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (current.retryAfterSeconds !== undefined) headers['retry-after'] = String(current.retryAfterSeconds);
        response.writeHead(current.status, headers);
        return void response.end(JSON.stringify({ error: { code: current.code ?? null, message: 'failure on command' } }));
      }
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true, usage: { completion_tokens: 10, total_tokens: 30 } }));
      }, current.delayMs ?? 0);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return state;
}

/** An HTTP error shaped as the `openai` SDK shapes its errors (status, headers, code). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly code: string | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

/** POSTs to a deployment's baseURL; throws {@link HttpError} for a non-2xx answer. */
export async function callDeployment(deployment: RoutedDeployment, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(deployment.baseURL!, { method: 'POST', body: '{}', signal });
  const body = (await response.json()) as { error?: { code?: string } };
  if (!response.ok) throw new HttpError(response.status, response.headers, body.error?.code ?? undefined);
  return body;
}

/** A clock that moves only when told, and a `sleep` that moves it. */
export function fakeClock(startMs = 1_000_000) {
  const clock = {
    nowMs: startMs,
    now: () => clock.nowMs,
    advance: (ms: number) => void (clock.nowMs += ms),
    sleep: async (ms: number) => void (clock.nowMs += ms),
  };
  return clock;
}

/** Engines to run the behaviour tests on: always the TS fallback, and native when it loads. */
export const ENGINES: ('native' | 'fallback')[] = nativeRouterEngine() instanceof Error ? ['fallback'] : ['fallback', 'native'];

let names = 0;
/** A router name no other test uses. */
export const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${(names += 1)}-${Date.now()}`;
