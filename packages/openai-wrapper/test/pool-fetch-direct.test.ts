import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createConnectionPools } from '../src/pool/index.js';
import { useFetchFixtures } from './support/fetch-fixtures.js';

// `pools.fetch` sends string and byte bodies straight to the pool; these tests hold it to what
// undici's full `fetch` (`fullFetch: true`) answers on the same local server, and to fetch's
// behaviour on aborts, failures, redirects, encodings and empty bodies.

const SECRET = 'sk-direct-fetch-SECRET';

type Route = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

const echo: Route = (request, body, response) => {
  // Sorted: the order of request headers carries no meaning (the direct path sends them sorted).
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => !['host', 'connection', 'content-length', 'accept-encoding', 'accept-language', 'sec-fetch-mode', 'user-agent'].includes(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  response.setHeader('set-cookie', ['a=1', 'b=2']);
  response.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-many': ['one', 'two'] });
  response.end(JSON.stringify({ method: request.method, url: request.url, headers, body: body.toString('base64') }));
};

async function describeResponse(response: Response): Promise<object> {
  const headers = [...response.headers].filter(([name]) => !['date', 'keep-alive', 'connection', 'content-length', 'transfer-encoding'].includes(name));
  return { status: response.status, statusText: response.statusText, ok: response.ok, url: response.url, headers, text: await response.text() };
}

describe('pools.fetch, direct path', () => {
  const { pools, http } = useFetchFixtures();
  /** A server that answers by path (404 for others). */
  const start = (routes: Record<string, Route>) =>
    http((request, body, response) => {
      const route = routes[new URL(request.url!, 'http://x').pathname];
      if (route === undefined) response.writeHead(404).end('no route');
      else route(request, body, response);
    });

  it('answers every method and body kind as undici fetch does', async () => {
    const { url } = await start({ '/echo': echo });
    const direct = pools();
    const full = pools({ fullFetch: true });
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const cases: [string, RequestInit][] = [
      [`${url}/echo?q=1#frag`, {}],
      [`${url}/echo`, { method: 'post', body: '{"x":"é"}', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SECRET}` } }],
      [`${url}/echo`, { method: 'POST', body: 'plain text' }],
      [`${url}/echo`, { method: 'PUT', body: bytes, headers: new Headers([['x-list', 'a'], ['X-List', 'b']]) }],
      [`${url}/echo`, { method: 'PATCH', body: bytes.buffer.slice(1, 4) }],
      [`${url}/echo`, { method: 'DELETE', body: new DataView(bytes.buffer, 2, 2) }],
      [`${url}/echo`, { method: 'OPTIONS' }],
      [`${url}/echo`, { method: 'POST', body: new URLSearchParams({ a: '1', b: 'two' }) }],
    ];
    for (const [target, init] of cases) {
      const mine = await describeResponse(await direct.fetch(target, init));
      const theirs = await describeResponse(await full.fetch(target, init));
      expect(mine, `${init.method ?? 'GET'} ${target}`).toEqual(theirs);
    }
    const head = await direct.fetch(`${url}/echo`, { method: 'HEAD' });
    expect(head.status).toBe(201);
    expect(head.body).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(direct.stats()).toMatchObject({ running: 0, pending: 0 });
  });

  it('sends the bytes as they were at the call, not as changed after', async () => {
    const { url } = await start({ '/echo': echo });
    const bytes = new Uint8Array([1, 2, 3]);
    const pending = pools().fetch(`${url}/echo`, { method: 'POST', body: bytes });
    bytes[0] = 99;
    const seen = (await (await pending).json()) as { body: string };
    expect([...Buffer.from(seen.body, 'base64')]).toEqual([1, 2, 3]);
  });

  it('streams a body as it arrives', async () => {
    let finish: (() => void) | undefined;
    const { url } = await start({
      '/sse': (_request, _body, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: first\n\n');
        finish = () => response.end('data: [DONE]\n\n');
      },
    });
    const response = await pools().fetch(`${url}/sse`, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    finish!();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('delivers a large body whole, read slowly', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let index = 0; index < big.length; index += 1) big[index] = (index * 31) % 251;
    const { url } = await start({ '/big': (_request, _body, response) => response.end(big) });
    const response = await pools().fetch(`${url}/big`);
    const reader = response.body!.getReader();
    const parts: Uint8Array[] = [];
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      parts.push(part.value);
      if (parts.length % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(Buffer.concat(parts).equals(big)).toBe(true);
  });

  it('decodes gzip and br answers, and keeps empty bodies empty', async () => {
    const text = 'compressed '.repeat(2_000);
    const { url } = await start({
      '/gzip': (_request, _body, response) => response.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(text)),
      '/br': (_request, _body, response) => response.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(text)),
      '/none': (_request, _body, response) => response.writeHead(204).end(),
    });
    const fetch = pools().fetch;
    expect(await (await fetch(`${url}/gzip`)).text()).toBe(text);
    expect(await (await fetch(`${url}/br`)).text()).toBe(text);
    const empty = await fetch(`${url}/none`, { method: 'POST', body: 'x' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('follows a redirect through undici fetch, the body sent again', async () => {
    const { url } = await start({
      '/old': (_request, _body, response) => response.writeHead(307, { location: '/echo' }).end(),
      '/echo': echo,
    });
    const response = await pools().fetch(`${url}/old`, { method: 'POST', body: 'again' });
    const seen = (await response.json()) as { url: string; body: string };
    expect(response.url).toBe(`${url}/echo`);
    expect(response.redirected).toBe(true);
    expect(seen).toMatchObject({ url: '/echo', body: Buffer.from('again').toString('base64') });
    const manual = await pools().fetch(`${url}/old`, { redirect: 'manual' });
    expect(manual.status).toBe(307);
  });

  it('rejects as fetch does on abort: before sending, while waiting, and mid-body', async () => {
    const held: ServerResponse[] = [];
    const { url } = await start({
      '/slow': (_request, _body, response) => held.push(response),
      '/half': (_request, _body, response) => {
        response.writeHead(200);
        response.write('part');
        held.push(response);
      },
    });
    const pool = pools();
    const before = new AbortController();
    before.abort();
    await expect(pool.fetch(`${url}/slow`, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const waiting = new AbortController();
    const pending = pool.fetch(`${url}/slow`, { method: 'POST', body: '{}', signal: waiting.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    waiting.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');

    const reading = new AbortController();
    const response = await pool.fetch(`${url}/half`, { signal: reading.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('part');
    reading.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.stats()).toMatchObject({ running: 0, pending: 0 });
    for (const response of held) response.destroy();
  });

  it('fails like fetch on a refused connection and a connection cut mid-body, with no secret in the error', async () => {
    const closed = await start({});
    const deadUrl = closed.url;
    await new Promise((resolve) => closed.server.close(resolve));
    const pool = pools();
    const refused = await pool.fetch(`${deadUrl}/v1/chat/completions`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${SECRET}` } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused)) + String((refused as Error).cause)).not.toContain(SECRET);

    const { url } = await start({
      '/cut': (_request, _body, response) => {
        response.writeHead(200, { 'content-length': '100' });
        response.write('only some');
        setTimeout(() => response.socket?.destroy(), 10);
      },
    });
    const response = await pool.fetch(`${url}/cut`);
    await expect(response.text()).rejects.toMatchObject({ name: 'TypeError', message: 'terminated' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.stats()).toMatchObject({ running: 0 });
  });

  it('rejects a bad header value with a TypeError and sends nothing', async () => {
    const served = await start({ '/echo': echo });
    const pool = pools();
    await expect(pool.fetch(`${served.url}/echo`, { headers: { 'x-bad': 'a\r\nb' } })).rejects.toBeInstanceOf(TypeError);
    await expect(pool.fetch(`${served.url}/echo`, { method: 'GET', body: 'no body on GET' })).rejects.toBeInstanceOf(TypeError);
    expect(served.sockets).toBe(0);
  });

  it('a cancelled body frees the request', async () => {
    const held: ServerResponse[] = [];
    const { url } = await start({
      '/endless': (_request, _body, response) => {
        response.writeHead(200);
        response.write('x'.repeat(1024));
        held.push(response);
      },
    });
    const pool = pools();
    const response = await pool.fetch(`${url}/endless`);
    await response.body!.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.stats()).toMatchObject({ running: 0 });
    for (const open of held) open.destroy();
  });

  it('rejects fullFetch that is not a boolean', () => {
    expect(() => createConnectionPools({ fullFetch: 'yes' as unknown as boolean })).toThrow(/`fullFetch` to be a boolean/);
  });
});
