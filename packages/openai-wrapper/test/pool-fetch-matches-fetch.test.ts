import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { useFetchFixtures } from './support/fetch-fixtures.js';

// `pools.fetch` (the direct path) against undici's `fetch` (`fullFetch: true`) on the cases a
// hostile review found it wrong on: each test states what `fetch` does on the same server and
// holds the direct path to it. Servers run on 127.0.0.1 ephemeral ports; every wait is bounded.

const SECRET = 'sk-review-SECRET-7c1';

/** Resolves with the value, or with 'HUNG' after `ms` (a hang becomes a failed assertion, not a test timeout). */
function within<T>(promise: Promise<T>, ms = 1_500): Promise<T | 'HUNG'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'HUNG'>((resolve) => {
    timer = setTimeout(() => resolve('HUNG'), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const describeError = (error: unknown) => ({ name: (error as Error).name, message: (error as Error).message });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pools.fetch answers as fetch does where a review found it did not', () => {
  const { defer, pools, http } = useFetchFixtures();

  /** A raw TCP server that answers each connection's first request with `answer(path)` verbatim, then closes. */
  const raw = async (answer: (path: string) => Buffer): Promise<string> => {
    const sockets = new Set<Socket>();
    const server: NetServer = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', (data: Buffer) => socket.end(answer(data.toString('latin1').split(' ')[1]!)));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    defer(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const bodyAnswer = (head: string, body: Buffer | string = '') => Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
  const encoded = (encoding: string, body: Buffer) =>
    bodyAnswer(`HTTP/1.1 200 OK\r\ncontent-encoding: ${encoding}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`, body);

  /** The outcome of fetching `url` and reading the body as text (or the error, or 'HUNG'). */
  const outcome = async (fetch: typeof globalThis.fetch, url: string, init?: RequestInit) =>
    within(
      (async () => {
        try {
          const response = await fetch(url, init);
          return { status: response.status, statusText: response.statusText, text: await response.text() };
        } catch (error) {
          return { error: describeError(error) };
        }
      })(),
    );

  // ---------------------------------------------------------------------------------------------
  // D1. Body stream never settles when the decoder fails after the last socket byte (onComplete
  // already ran, so #fail returns early). Affects: empty body with content-encoding: gzip,
  // truncated gzip, any small corrupt gzip, raw deflate.
  // ---------------------------------------------------------------------------------------------
  it('D1a: an empty body sent with content-encoding: gzip reads as ""', async () => {
    const url = await raw(() => bodyAnswer('HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
    expect(await outcome(pools({ fullFetch: true }).fetch, `${url}/`)).toEqual({ status: 200, statusText: 'OK', text: '' });
    expect(await outcome(pools().fetch, `${url}/`)).toEqual({ status: 200, statusText: 'OK', text: '' });
  });

  it('D1b: a truncated gzip body settles as fetch does (the decoded prefix)', async () => {
    const whole = gzipSync('truncated gzip body '.repeat(50));
    const url = await raw(() => encoded('gzip', whole.subarray(0, whole.length - 10)));
    const theirs = await outcome(pools({ fullFetch: true }).fetch, `${url}/`);
    expect(theirs).not.toBe('HUNG');
    expect(await outcome(pools().fetch, `${url}/`)).toEqual(theirs);
  });

  it('D1c: a small corrupt gzip body rejects with TypeError terminated', async () => {
    const url = await raw(() => encoded('gzip', Buffer.from('this is not gzip at all')));
    expect(await outcome(pools({ fullFetch: true }).fetch, `${url}/`)).toEqual({ error: { name: 'TypeError', message: 'terminated' } });
    expect(await outcome(pools().fetch, `${url}/`)).toEqual({ error: { name: 'TypeError', message: 'terminated' } });
  });

  it('D1d: content-encoding: deflate with a raw deflate stream decodes as fetch does', async () => {
    const url = await raw(() => encoded('deflate', deflateRawSync('hello raw deflate')));
    expect(await outcome(pools({ fullFetch: true }).fetch, `${url}/`)).toEqual({ status: 200, statusText: 'OK', text: 'hello raw deflate' });
    expect(await outcome(pools().fetch, `${url}/`)).toEqual({ status: 200, statusText: 'OK', text: 'hello raw deflate' });
  });

  // ---------------------------------------------------------------------------------------------
  // D2. Cancelling a compressed body after the socket completed but while the decoder still has
  // output: cancel() is a no-op (#finished is already true), the decoder keeps emitting, and
  // controller.enqueue()/close() on the cancelled stream throws from an event handler: uncaught
  // exception, which kills a Node process. 'small' is the plainest form: `await
  // response.body.cancel()` on a tiny gzip answer. Run in a child process so the crash is observable.
  // ---------------------------------------------------------------------------------------------
  for (const mode of ['small', 'big']) {
    it(`D2 (${mode}): cancelling a gzip body after the socket finished does not throw an uncaught exception`, () => {
      const script = fileURLToPath(new URL('./support/cancel-gzip-after-complete.ts', import.meta.url));
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, mode], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 30_000 });
      expect(run.stdout).toContain('full: no uncaught exception');
      expect(run.stdout + run.stderr).not.toContain('ERR_INVALID_STATE');
      expect(run.stdout).toContain('direct: no uncaught exception');
    });
  }

  // ---------------------------------------------------------------------------------------------
  // D3. A decoder error mid-body errors the stream but never aborts the undici request
  // (#fail(..., false)): the connection and pool slot stay busy while the server keeps it open.
  // ---------------------------------------------------------------------------------------------
  it('D3: after a corrupt gzip body errors, the request is stopped (running returns to 0)', async () => {
    const held: ServerResponse[] = [];
    const { url } = await http((_request, _body, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.write('this is not gzip at all');
      held.push(response);
    });
    defer(() => held.forEach((response) => response.destroy()));
    for (const fullFetch of [true, false]) {
      const pool = pools({ fullFetch });
      const result = await within((await pool.fetch(`${url}/`)).text().catch(describeError));
      expect(result, `fullFetch: ${fullFetch}`).toEqual({ name: 'TypeError', message: 'terminated' });
      await sleep(100);
      expect(pool.stats().running, `fullFetch: ${fullFetch}`).toBe(0);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D4. Informational 1xx answers (103 Early Hints, 102 Processing) reach onHeaders; the direct
  // path builds `new Response(…, { status: 103 })`, which throws RangeError → 'fetch failed'.
  // fetch ignores status < 200 and answers with the final response.
  // ---------------------------------------------------------------------------------------------
  it('D4: a 103 Early Hints or 102 Processing before the final answer is skipped, as fetch does', async () => {
    const url = await raw((path) =>
      bodyAnswer(
        `HTTP/1.1 ${path === '/103' ? '103 Early Hints\r\nlink: </a.css>; rel=preload' : '102 Processing'}\r\n\r\n` +
          'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok',
      ),
    );
    for (const path of ['/103', '/102']) {
      expect(await outcome(pools({ fullFetch: true }).fetch, url + path)).toEqual({ status: 200, statusText: 'OK', text: 'ok' });
      expect(await outcome(pools().fetch, url + path), path).toEqual({ status: 200, statusText: 'OK', text: 'ok' });
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D5. A reason phrase with a byte ≥ 0x80 (latin1 'è' or UTF-8 '€') or a status ≥ 600 makes the
  // Response constructor throw → 'fetch failed' for an answer fetch delivers.
  // ---------------------------------------------------------------------------------------------
  it('D5: non-ASCII reason phrases and statuses 600–999 answer as fetch does', async () => {
    const url = await raw((path) => {
      const body = '\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok';
      if (path === '/latin1') return Buffer.concat([Buffer.from('HTTP/1.1 200 Tr'), Buffer.from([0xe8]), Buffer.from(`s bien${body}`)]);
      if (path === '/utf8') return Buffer.concat([Buffer.from('HTTP/1.1 200 '), Buffer.from('€ ok', 'utf8'), Buffer.from(body)]);
      return Buffer.from(`HTTP/1.1 999 Odd${body}`);
    });
    for (const path of ['/latin1', '/utf8', '/999']) {
      const theirs = await outcome(pools({ fullFetch: true }).fetch, url + path);
      expect(theirs).toMatchObject({ text: 'ok' });
      expect(await outcome(pools().fetch, url + path), path).toEqual(theirs);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D6. Two content codings ('gzip, br'): fetch decodes both; the direct path hands back the raw
  // compressed bytes while still saying content-encoding: gzip, br.
  // ---------------------------------------------------------------------------------------------
  it('D6: content-encoding "gzip, br" is decoded', async () => {
    const url = await raw(() => encoded('gzip, br', brotliCompressSync(gzipSync('two codings'))));
    expect(await outcome(pools({ fullFetch: true }).fetch, `${url}/`)).toMatchObject({ text: 'two codings' });
    expect(await outcome(pools().fetch, `${url}/`)).toMatchObject({ text: 'two codings' });
  });

  // ---------------------------------------------------------------------------------------------
  // D7. Redirects: the direct path re-sends the ORIGINAL request through fetch instead of following
  // the Location it got. A POST answered 303 (Post/Redirect/Get) reaches the server twice, and
  // every redirect hop costs an extra request.
  // ---------------------------------------------------------------------------------------------
  it('D7: a POST answered 303 See Other is sent to the server once', async () => {
    const posts: string[] = [];
    const { url } = await http((request, body, response) => {
      if (request.url === '/orders') {
        posts.push(body.toString());
        response.writeHead(303, { location: '/orders/1' }).end();
      } else response.end(`order 1 (${request.method})`);
    });
    for (const fullFetch of [true, false]) {
      posts.length = 0;
      const response = await pools({ fullFetch }).fetch(`${url}/orders`, { method: 'POST', body: '{"buy":1}' });
      expect(await response.text()).toBe('order 1 (GET)');
      expect(posts, `fullFetch: ${fullFetch}`).toEqual(['{"buy":1}']);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D8. The redirect is "followed" by aborting the dispatched request, which TrackedHandler
  // records as an 'error' in passive health: an origin that permanently redirects (308 to a new
  // host) is marked unhealthy after a handful of requests. fetch's own hops record 'ok'.
  // ---------------------------------------------------------------------------------------------
  it('D8: an origin answering 308 to another origin stays healthy', async () => {
    const target = await http((_request, _body, response) => response.end('moved here'));
    const old = await http((_request, _body, response) => response.writeHead(308, { location: `${target.url.replace('127.0.0.1', 'localhost')}/` }).end());
    for (const fullFetch of [true, false]) {
      const pool = pools({ fullFetch });
      for (let index = 0; index < 10; index += 1) await (await pool.fetch(`${old.url}/v1/x`, { method: 'POST', body: '{}' })).text();
      expect(pool.isHealthy(old.url), `fullFetch: ${fullFetch}`).toBe(true);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D9. On a redirect the body fetch re-sends is init.body as it is NOW, not the copy taken at the
  // call (the direct path promises call-time bytes, as fetch does).
  // ---------------------------------------------------------------------------------------------
  it('D9: after a 307, the bytes re-sent are those given at the call', async () => {
    const { url } = await http((request, body, response) => {
      if (request.url === '/old') response.writeHead(307, { location: '/new' }).end();
      else response.end(body.toString('hex'));
    });
    for (const fullFetch of [true, false]) {
      const bytes = new Uint8Array([1, 2, 3]);
      const pending = pools({ fullFetch }).fetch(`${url}/old`, { method: 'POST', body: bytes });
      bytes[0] = 99;
      expect(await (await pending).text(), `fullFetch: ${fullFetch}`).toBe('010203');
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D10. A header value fetch refuses is echoed whole in the TypeError message: an API key with a
  // stray control character ends up in logs. (Both paths: the direct path throws from
  // `new Headers(init.headers)`, fetch from its Request constructor.)
  // ---------------------------------------------------------------------------------------------
  it('D10: a bad authorization header value is not repeated in the error', async () => {
    const { url } = await http((_request, _body, response) => response.end('x'));
    for (const fullFetch of [false, true]) {
      const error = await pools({ fullFetch })
        .fetch(`${url}/`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${SECRET}\u0000` } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TypeError);
      expect(String((error as Error).message) + String((error as Error).cause ?? ''), `fullFetch: ${fullFetch}`).not.toContain(SECRET);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D11. Smaller differences from fetch's Response: clone() loses the url, type is 'default'
  // (fetch: 'basic'), headers are mutable (fetch: immutable), an abort after the last socket byte
  // no longer errors the unread body, and `integrity` is ignored.
  // ---------------------------------------------------------------------------------------------
  it('D11: the Response matches fetch in clone().url, type, headers guard, late abort and integrity', async () => {
    const { url } = await http((_request, _body, response) => response.end('some body'));
    const summary = async (fetch: typeof globalThis.fetch) => {
      const response = await fetch(`${url}/a`, { method: 'POST', body: '{}' });
      let mutable = true;
      try {
        response.headers.set('x-mine', '1');
      } catch {
        mutable = false;
      }
      const cloneUrl = response.clone().url;
      await response.text();
      const controller = new AbortController();
      const late = await fetch(`${url}/b`, { method: 'POST', body: '{}', signal: controller.signal });
      await sleep(50);
      controller.abort();
      const lateRead = await late.text().then(() => 'read', (error: Error) => error.name);
      const integrity = await fetch(`${url}/c`, { method: 'POST', body: '{}', integrity: 'sha256-AAAA' }).then(() => 'resolved', (error: Error) => error.message);
      return { cloneUrl, type: response.type, mutable, lateRead, integrity };
    };
    const theirs = await summary(pools({ fullFetch: true }).fetch);
    expect(theirs).toEqual({ cloneUrl: `${url}/a`, type: 'basic', mutable: false, lateRead: 'AbortError', integrity: 'fetch failed' });
    // Documented differences (see dispatcherFetch): the headers can be changed, and an abort
    // after the whole body arrived leaves it readable.
    expect(await summary(pools().fetch)).toEqual({ ...theirs, mutable: true, lateRead: 'read' });
  });

  // ---------------------------------------------------------------------------------------------
  // D12 (both modes, not new in this change: the fallback is undici 7's fetch). Node's global
  // FormData and Request are not undici 7's classes: a global FormData body is sent as the text
  // "[object FormData]", a global Request fails with "Failed to parse URL from [object Request]",
  // and the openai SDK, which probes this, refuses file uploads through pools.fetch.
  // ---------------------------------------------------------------------------------------------
  it('D12: the openai SDK can upload a file through pools.fetch, and a global Request is accepted', async () => {
    const seen: string[] = [];
    const { url } = await http((request, body, response) => {
      seen.push(`${request.headers['content-type']?.split(';')[0]} ${body.toString().includes('name="purpose"')}`);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'file-1', object: 'file', bytes: 3, created_at: 1, filename: 'a.jsonl', purpose: 'fine-tune' }));
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: SECRET, fetch: pools().fetch, maxRetries: 0 });
    const uploaded = await client.files.create({ file: await toFile(Buffer.from('{}\n'), 'a.jsonl'), purpose: 'fine-tune' }).then(
      (file) => file.id,
      (error: Error) => error.message,
    );
    expect(uploaded).toBe('file-1');
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    await (await pools().fetch(`${url}/form`, { method: 'POST', body: form })).text();
    expect(seen.at(-1)).toBe('multipart/form-data true');
    const viaRequest = await pools()
      .fetch(new Request(`${url}/request`, { method: 'POST', body: 'x' }))
      .then((response) => response.status, (error: Error) => error.message);
    expect(viaRequest).toBe(200);
  });

  // ---------------------------------------------------------------------------------------------
  // D13. A Response dropped with its body unread (over 64 KiB, so the socket is paused) holds its
  // connection and pool slot forever: the handler is reachable from undici's request, so the
  // stream is never collected. undici's fetch registers each Response with a
  // FinalizationRegistry that cancels the body once the Response is garbage-collected.
  // ---------------------------------------------------------------------------------------------
  it('D13: a Response dropped unread frees its connection once garbage-collected, as with fetch', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const { url } = await http((_request, _body, response) => response.writeHead(400, { 'content-type': 'text/html' }).end('x'.repeat(1024 * 1024)));
    for (const fullFetch of [true, false]) {
      const pool = pools({ fullFetch, connectionsPerOrigin: 1 });
      await (async () => {
        const dropped = await pool.fetch(`${url}/first`, { method: 'POST', body: '{}' });
        expect(dropped.status).toBe(400); // checked, body never read
      })();
      const next = pool.fetch(`${url}/second`, { method: 'POST', body: '{}' }).then((response) => response.status);
      for (let round = 0; round < 10; round += 1) {
        gc();
        await sleep(50);
      }
      expect(await within(next, 1_000), `fullFetch: ${fullFetch}`).toBe(400);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // D14 (both modes; TrackedHandler, not new in this change). A caller who cancels a body or
  // aborts (the SDK's `stream.controller.abort()`, `break` out of a stream) is counted as an
  // origin 'error' in passive health: six early-exited streams mark a healthy origin unhealthy.
  // ---------------------------------------------------------------------------------------------
  it('D14: bodies cancelled by the caller do not mark the origin unhealthy', async () => {
    const held: ServerResponse[] = [];
    const { url } = await http((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
      held.push(response);
    });
    defer(() => held.forEach((response) => response.destroy()));
    for (const fullFetch of [false, true]) {
      const pool = pools({ fullFetch });
      for (let index = 0; index < 6; index += 1) {
        const reader = (await pool.fetch(`${url}/stream`, { method: 'POST', body: '{}' })).body!.getReader();
        await reader.read();
        await reader.cancel();
      }
      await sleep(30);
      expect(pool.isHealthy(url), `fullFetch: ${fullFetch}`).toBe(true);
    }
  });
});
