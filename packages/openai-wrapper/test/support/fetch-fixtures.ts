// What the pools.fetch tests share: cleanup after each test, pools destroyed at the end, and an
// HTTP server on 127.0.0.1 whose handler sees the whole request body.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createConnectionPools, type ConnectionPools } from '../../src/pool/index.js';

export type Step = () => Promise<unknown> | void;
export type BodyHandler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

/** A server of {@link useFetchFixtures}: its URL, the server, and connections accepted so far. */
export interface TestServer {
  readonly url: string;
  readonly server: Server;
  readonly sockets: number;
}

/**
 * Registers an `afterEach` that runs the deferred steps (last first); returns `defer`, a pools
 * factory whose pools are destroyed after the test, and `http`, which starts a server closed
 * after the test. Call it in a `describe` body.
 */
export function useFetchFixtures(): {
  defer: (step: Step) => void;
  pools: (options?: Parameters<typeof createConnectionPools>[0]) => ConnectionPools;
  http: (handler: BodyHandler) => Promise<TestServer>;
} {
  const steps: Step[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  const defer = (step: Step) => void steps.push(step);
  const pools = (options: Parameters<typeof createConnectionPools>[0] = {}) => {
    const created = createConnectionPools(options);
    defer(() => created.destroy());
    return created;
  };
  const http = async (handler: BodyHandler): Promise<TestServer> => {
    let sockets = 0;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => handler(request, Buffer.concat(chunks), response));
    });
    server.on('connection', () => void (sockets += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    defer(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      server,
      get sockets() {
        return sockets;
      },
    };
  };
  return { defer, pools, http };
}
