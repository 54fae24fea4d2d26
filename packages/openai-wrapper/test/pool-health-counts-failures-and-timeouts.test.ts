import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionPools, POOL_HEALTH_CHANNEL, type ConnectionPools, type ConnectionPoolsOptions } from '../src/pool/index.js';
import { OriginHealth, type RequestResult } from '../src/pool/origin-health.js';
import { resolvePoolOptions } from '../src/pool/pool-options.js';

type Respond = (request: IncomingMessage, response: ServerResponse) => void;

/** A server on 127.0.0.1 answering each request with `respond`; returns its origin. */
async function serve(respond: Respond, cleanup: (() => Promise<unknown>)[]): Promise<string> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => respond(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A controller-style handler (undici's newer API), collecting the status and the end. */
function controllerHandler(): { handler: Dispatcher.DispatchHandler; done: Promise<number | Error> } {
  let finish!: (value: number | Error) => void;
  const done = new Promise<number | Error>((resolve) => (finish = resolve));
  let status = 0;
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart: () => undefined,
    onResponseStart: (_controller, statusCode) => void (status = statusCode),
    onResponseData: () => undefined,
    onResponseEnd: () => finish(status),
    onResponseError: (_controller, error) => finish(error),
  };
  return { handler, done };
}

describe('pool health counts failures and timeouts', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const pools = (options: ConnectionPoolsOptions): ConnectionPools => {
    const created = createConnectionPools(options);
    cleanup.push(() => created.destroy());
    return created;
  };

  it('headers timeouts in a row mark the origin unhealthy with reason "timeouts"', async () => {
    const origin = await serve(() => undefined, cleanup);
    const changes: unknown[] = [];
    const listener = (message: unknown) => changes.push(message);
    subscribe(POOL_HEALTH_CHANNEL, listener);
    cleanup.push(async () => unsubscribe(POOL_HEALTH_CHANNEL, listener));
    const pool = pools({ headersTimeoutMs: 50, health: { consecutiveTimeouts: 2, minRequests: 100 } });
    await expect(pool.request({ origin, path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(pool.isHealthy(origin)).toBe(true);
    await expect(pool.request({ origin, path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(pool.isHealthy(origin)).toBe(false);
    expect(changes).toEqual([{ origin, healthy: false, reason: 'timeouts' }]);
  });

  it('refused connections count as errors; 429 does not, 5xx does', async () => {
    const closed = await serve(() => undefined, cleanup);
    await cleanup.pop()!();
    const pool = pools({ health: { minRequests: 3, errorRateThreshold: 0.6 } });
    for (let index = 0; index < 3; index += 1) {
      await expect(pool.fetch(`${closed}/v1/models`)).rejects.toThrow();
    }
    expect(pool.isHealthy(closed)).toBe(false);

    let status = 429;
    const origin = await serve((_request, response) => response.writeHead(status).end('{}'), cleanup);
    for (let index = 0; index < 5; index += 1) await (await pool.fetch(`${origin}/v1/models`)).text();
    expect(pool.isHealthy(origin)).toBe(true);
    status = 503;
    for (let index = 0; index < 10; index += 1) await (await pool.fetch(`${origin}/v1/models`)).text();
    expect(pool.isHealthy(origin)).toBe(false);
  });

  it('a controller-style handler feeds health and frees its slot under maxTotalConnections', async () => {
    const origin = await serve((_request, response) => response.writeHead(500).end('down'), cleanup);
    const pool = pools({ maxTotalConnections: 1, health: { minRequests: 3, errorRateThreshold: 1 } });
    for (let index = 0; index < 3; index += 1) {
      const { handler, done } = controllerHandler();
      pool.dispatch({ origin, path: '/', method: 'GET' }, handler);
      expect(await done).toBe(500);
    }
    expect(pool.isHealthy(origin)).toBe(false);
    expect(pool.stats()).toMatchObject({ running: 0, waitingForTotalCap: 0 });
  });

  it('an origin given as a URL object, or with a trailing slash, shares one pool and one health', async () => {
    const origin = await serve((_request, response) => response.writeHead(502).end(), cleanup);
    const pool = pools({ health: { minRequests: 3, errorRateThreshold: 1 } });
    for (const spelled of [origin, new URL(origin), `${origin}/`]) {
      await (await pool.request({ origin: spelled, path: '/', method: 'GET' })).body.dump();
    }
    expect(pool.stats().origins.map((entry) => entry.origin)).toEqual([origin]);
    expect(pool.isHealthy(`${origin}/v1/chat/completions`)).toBe(false);
  });

  it('remembers a bounded number of origin spellings', async () => {
    const origin = await serve((_request, response) => response.end('ok'), cleanup);
    const pool = pools({});
    for (let index = 0; index < 1_100; index += 1) {
      await (await pool.request({ origin: `${origin}/#${index}`, path: '/', method: 'GET' })).body.dump();
    }
    expect(pool.stats().origins).toHaveLength(1);
    expect(pool['byKey'].size).toBeLessThanOrEqual(1_024);
  });

  it('an upgraded request frees its slot under maxTotalConnections', async () => {
    const origin = await serve((_request, response) => response.end('plain'), cleanup);
    const upgrading = createServer();
    const sockets: Duplex[] = [];
    upgrading.on('upgrade', (_request, socket: Duplex) => {
      sockets.push(socket);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    });
    await new Promise<void>((resolve) => upgrading.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => upgrading.close(resolve));
    });
    const pool = pools({ maxTotalConnections: 1 });

    // undici's typings leave `origin` out of UpgradeOptions; an Agent-like dispatcher needs it.
    const upgradeOrigin = `http://127.0.0.1:${(upgrading.address() as AddressInfo).port}`;
    const upgraded = await pool.upgrade({ origin: upgradeOrigin, path: '/', protocol: 'test' } as Dispatcher.UpgradeOptions);
    cleanup.push(async () => void upgraded.socket.destroy());
    const response = await pool.request({ origin, path: '/', method: 'GET' });

    expect(await response.body.text()).toBe('plain');
  });
});

describe('origin health window', () => {
  const record = (health: OriginHealth, results: RequestResult[]) => results.map((result) => (health.record(result), health.healthy));

  it('slides: failures older than windowSize no longer count', () => {
    const options = resolvePoolOptions({ health: { windowSize: 3, minRequests: 3, errorRateThreshold: 1, consecutiveTimeouts: 100, unhealthyForMs: 60_000 } });
    const health = new OriginHealth('http://127.0.0.1:1', options.health, async () => true);
    expect(record(health, ['error', 'error', 'ok', 'error', 'error'])).toEqual([true, true, true, true, true]);
    expect(record(health, ['timeout'])).toEqual([false]);
    health.stop();
  });

  it('an ok between timeouts resets the run of timeouts', () => {
    const options = resolvePoolOptions({ health: { minRequests: 100, consecutiveTimeouts: 2, unhealthyForMs: 60_000 } });
    const health = new OriginHealth('http://127.0.0.1:1', options.health, async () => true);
    expect(record(health, ['timeout', 'ok', 'timeout', 'error', 'timeout', 'timeout'])).toEqual([true, true, true, true, true, false]);
    health.stop();
  });
});
