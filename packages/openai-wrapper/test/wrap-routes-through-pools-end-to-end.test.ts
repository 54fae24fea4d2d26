// wrapOpenAI with deployments over pools.fetch against a local scripted server: compressed answers, SSE, 429 and 5xx retries, redirects, aborted streams; leases, in-flight counts and usage come back exact, and no key leaks.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_CHANNELS, closeWrapper, getStats, wrapOpenAI, type UsageRecord } from '../src/index.js';
import { fallbackLimiter, limiterHook } from './support/limiter-hook.js';

const KEY_A = 'sk-review2-SECRET-aaaaaaaaaaaaaaaa';
const KEY_B = 'sk-review2-SECRET-bbbbbbbbbbbbbbbb';

type Scenario = 'ok' | 'gzip' | 'sse' | '429' | '503' | 'redirect-same' | 'redirect-other' | 'stall' | 'gzip-sse';
interface Scripted {
  url: string;
  queue: Scenario[];
  seen: { path: string; auth: string | undefined; body: string }[];
  close(): Promise<void>;
}

const completion = (model: string) => ({
  id: 'cmpl-1', object: 'chat.completion', created: 1, model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello there' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
});
const sseBody = (model: string, chunks = 3) => {
  const lines: string[] = [];
  for (let i = 0; i < chunks; i += 1)
    lines.push(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`);
  lines.push(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
  lines.push(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 9, completion_tokens: chunks, total_tokens: 9 + chunks } })}\n\n`);
  lines.push('data: [DONE]\n\n');
  return lines.join('');
};

let other: Scripted;
async function scripted(): Promise<Scripted> {
  const state: Scripted = { url: '', queue: [], seen: [], close: async () => undefined };
  const open = new Set<ServerResponse>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      state.seen.push({ path: request.url ?? '', auth: request.headers.authorization, body });
      const model = body === '' ? 'x' : (JSON.parse(body) as { model: string }).model;
      const scenario = state.queue.shift() ?? 'ok';
      switch (scenario) {
        case 'ok':
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(model)));
          break;
        case 'gzip':
          response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify(completion(model))));
          break;
        case 'gzip-sse':
          response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }).end(gzipSync(sseBody(model)));
          break;
        case 'sse':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(sseBody(model));
          response.end();
          break;
        case '429':
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit' } }));
          break;
        case '503':
          response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end(JSON.stringify({ error: { message: 'busy' } }));
          break;
        case 'redirect-same':
          response.writeHead(307, { location: `${request.url}?hop=1` }).end();
          break;
        case 'redirect-other':
          response.writeHead(307, { location: `${other.url.replace(/\/v1$/, '')}${request.url}` }).end();
          break;
        case 'stall':
          open.add(response);
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(sseBody(model, 2).split('\n\n').slice(0, 2).join('\n\n') + '\n\n');
          break;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      open.forEach((r) => r.destroy());
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

describe('wrapOpenAI + deployments + pools.fetch end to end', () => {
  let a: Scripted;
  let b: Scripted;
  const published: string[] = [];
  const listener = (message: unknown) => published.push(JSON.stringify(message, (_k, v) => (v instanceof Error ? `${v.name}: ${v.message}` : v)));
  const logged: string[] = [];
  const originals = { error: console.error, warn: console.warn, log: console.log };

  beforeAll(async () => {
    a = await scripted();
    b = await scripted();
    other = await scripted();
    Object.values(CALL_CHANNELS).forEach((name) => subscribe(name, listener));
    for (const level of ['error', 'warn', 'log'] as const) console[level] = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
  });
  afterAll(async () => {
    Object.values(CALL_CHANNELS).forEach((name) => unsubscribe(name, listener));
    Object.assign(console, originals);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  function client() {
    const records: UsageRecord[] = [];
    const errors: unknown[] = [];
    const limiter = fallbackLimiter({ maxInFlight: 1 });
    const wrapped = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-unused', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 }), {
      deployments: {
        'gpt-4o': [
          { id: 'a', baseURL: a.url, apiKey: KEY_A, weight: 1000 },
          { id: 'b', baseURL: b.url, apiKey: KEY_B, weight: 1 },
        ],
      },
      routing: { retries: 2, backoffBaseMs: 1, allowedFails: 0, cooldownMs: 1_000, seed: 3 },
      limits: { limiter: limiterHook({ 'model:': limiter }) },
      pools: { connectionsPerOrigin: 2 },
      onUsage: (record) => records.push(record),
      onError: (error) => errors.push(error),
    });
    return { wrapped, records, errors, limiter };
  }
  const inFlight = (wrapped: OpenAI) => getStats(wrapped)!.deployments.map((row) => row.inFlight);
  const limiterFree = (limiter: ReturnType<typeof fallbackLimiter>) => {
    const decision = limiter.tryAcquire('model:gpt-4o', { requests: 0, tokens: 0 });
    const free = decision.allowed;
    if (free) decision.lease?.release();
    return free;
  };
  const describeError = (error: unknown): string => {
    const parts: string[] = [];
    let current: unknown = error;
    for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth += 1) {
      if (current instanceof Error) parts.push(`${current.name} ${current.message} ${current.stack ?? ''} ${JSON.stringify(current)}`);
      else parts.push(String(current));
      current = (current as { cause?: unknown }).cause;
    }
    return parts.join('\n');
  };

  it('gzip JSON, SSE, gzip SSE: answers, records, zero in flight, limiter free', async () => {
    const { wrapped, records, limiter } = client();
    a.queue.push('gzip');
    const first = await wrapped.chat.completions.create({ model: 'gpt-4o', messages });
    expect(first.choices[0]!.message.content).toBe('hello there');
    a.queue.push('sse');
    const stream = await wrapped.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('w0 w1 w2 ');
    a.queue.push('gzip-sse');
    const stream2 = await wrapped.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let text2 = '';
    for await (const chunk of stream2) text2 += chunk.choices[0]?.delta.content ?? '';
    expect(text2).toBe('w0 w1 w2 ');
    expect(records.map((r) => [r.status, r.usageSource, r.deployment])).toEqual([
      ['ok', 'provider', 'a'],
      ['ok', 'provider', 'a'],
      ['ok', 'provider', 'a'],
    ]);
    expect(inFlight(wrapped)).toEqual([0, 0]);
    expect(limiterFree(limiter)).toBe(true);
    await closeWrapper(wrapped);
  });

  it('429 with Retry-After and 503: retried on the other deployment; in flight 0; limiter free', async () => {
    const { wrapped, records, limiter } = client();
    a.queue.push('429');
    const answer = await wrapped.chat.completions.create({ model: 'gpt-4o', messages });
    expect(answer.choices[0]!.message.content).toBe('hello there');
    expect(records[0]).toMatchObject({ status: 'ok', deployment: 'b', attempts: 2 });
    b.queue.push('503', '503', '503');
    a.queue.push('503', '503', '503');
    const error = await wrapped.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(inFlight(wrapped)).toEqual([0, 0]);
    expect(limiterFree(limiter)).toBe(true);
    a.queue.length = 0;
    b.queue.length = 0;
    await closeWrapper(wrapped);
  });

  it('307 redirects: same origin keeps the key and body; another origin gets no key', async () => {
    const { wrapped, records } = client();
    a.seen.length = 0;
    other.seen.length = 0;
    a.queue.push('redirect-same');
    await wrapped.chat.completions.create({ model: 'gpt-4o', messages });
    expect(a.seen.map((s) => [s.path, s.auth, s.body.length > 0])).toEqual([
      ['/v1/chat/completions', `Bearer ${KEY_A}`, true],
      ['/v1/chat/completions?hop=1', `Bearer ${KEY_A}`, true],
    ]);
    a.queue.push('redirect-other');
    await wrapped.chat.completions.create({ model: 'gpt-4o', messages });
    expect(other.seen.map((s) => [s.path, s.auth])).toEqual([['/v1/chat/completions', undefined]]);
    expect(records.map((r) => r.status)).toEqual(['ok', 'ok']);
    await closeWrapper(wrapped);
  });

  it('aborting a stream mid-way: record once, in flight 0, limiter free', async () => {
    const { wrapped, records, limiter } = client();
    a.queue.push('stall');
    const controller = new AbortController();
    const stream = await wrapped.chat.completions.create({ model: 'gpt-4o', messages, stream: true }, { signal: controller.signal });
    let got = 0;
    const error = await (async () => {
      for await (const chunk of stream) {
        got += chunk.choices.length;
        if (got >= 1) controller.abort();
      }
    })().catch((e: unknown) => e);
    // the openai SDK's stream iterator ends quietly on an AbortError
    expect(error === undefined || (error as Error).name.includes('Abort')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(records).toHaveLength(1);
    expect(inFlight(wrapped)).toEqual([0, 0]);
    expect(limiterFree(limiter)).toBe(true);
    // breaking out of a stream early (no abort)
    a.queue.push('stall');
    const stream2 = await wrapped.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const _chunk of stream2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(records).toHaveLength(2);
    expect(inFlight(wrapped)).toEqual([0, 0]);
    expect(limiterFree(limiter)).toBe(true);
    await closeWrapper(wrapped);
  });

  it('connection refused and bad redirects: no API key in errors, records, events or logs', async () => {
    const { wrapped, records, errors } = client();
    const dead = `http://127.0.0.1:9/v1`; // discard port, nothing listens
    const refused = wrapOpenAI(new OpenAI({ apiKey: 'sk-client-unused', baseURL: dead, maxRetries: 0 }), {
      deployments: { 'gpt-4o': [{ id: 'dead', baseURL: `http://127.0.0.1:1/v1`, apiKey: KEY_A }] },
      routing: { retries: 1, backoffBaseMs: 1 },
      pools: {},
      onError: (error) => errors.push(error),
    });
    errors.push(await refused.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e));
    errors.push(await refused.chat.completions.create({ model: 'gpt-4o', messages, stream: true }).catch((e: unknown) => e));
    a.queue.push('429', '503');
    b.queue.push('503', '503');
    errors.push(await wrapped.chat.completions.create({ model: 'gpt-4o', messages }).catch((e: unknown) => e));
    const everything = [...errors.map(describeError), ...records.map((r) => JSON.stringify(r)), ...published, ...logged].join('\n');
    expect(everything).not.toContain('SECRET');
    expect(getStats(refused)!.deployments.map((r) => r.inFlight)).toEqual([0]);
    a.queue.length = 0;
    b.queue.length = 0;
    await closeWrapper(wrapped);
    await closeWrapper(refused);
  });
});
