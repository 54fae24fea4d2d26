// Time added by wrapOpenAI per call and per streamed chunk: the wrapped and the raw `openai`
// client both talk to an in-process `fetch` that returns canned responses, so no network noise
// hides the overhead. Run: pnpm --filter @tollgate/bench exec tsx src/wrapper-overhead.ts
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { wrapOpenAI } from '../../packages/openai-wrapper/src/index.js';

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there, how can I help?', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});

function streamBody(chunks: number): string {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-2024-08-06' };
  let text = '';
  for (let index = 0; index < chunks; index += 1) {
    text += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: ' word' }, finish_reason: null }], usage: null })}\n\n`;
  }
  text += `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks } })}\n\n`;
  return `${text}data: [DONE]\n\n`;
}

const STREAM_CHUNKS = 200;
const STREAM = streamBody(STREAM_CHUNKS);
const HEADERS = { 'x-request-id': 'req_bench' };

/** A `fetch` answering every request at once with a canned body. */
const cannedFetch = (async (_url: unknown, init?: { body?: unknown }) => {
  const streamed = typeof init?.body === 'string' && init.body.includes('"stream":true');
  return new Response(streamed ? STREAM : COMPLETION, {
    status: 200,
    headers: { ...HEADERS, 'content-type': streamed ? 'text/event-stream' : 'application/json' },
  });
}) as unknown as typeof fetch;

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello in five words, please.' },
];

function makeClient(): OpenAI {
  return new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://127.0.0.1:9/v1', fetch: cannedFetch, maxRetries: 0 });
}

async function timeCalls(client: OpenAI, calls: number): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < calls; index += 1) await client.chat.completions.create({ model: 'gpt-4o', messages });
  return ((performance.now() - start) * 1000) / calls;
}

async function timeStreams(client: OpenAI, streams: number): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < streams; index += 1) {
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })) void chunk;
  }
  return (performance.now() - start) * 1000;
}

/**
 * Fastest of `rounds` alternating runs per client: alternation lets drift hit both alike, and the
 * minimum drops the runs another process slowed down (the bench machine is shared).
 */
async function compare(rounds: number, run: (client: OpenAI) => Promise<number>): Promise<{ raw: number; wrapped: number }> {
  const raw = makeClient();
  const wrapped = wrapOpenAI(makeClient());
  const rawTimes: number[] = [];
  const wrappedTimes: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    rawTimes.push(await run(raw));
    wrappedTimes.push(await run(wrapped));
  }
  return { raw: Math.min(...rawTimes), wrapped: Math.min(...wrappedTimes) };
}

async function main(): Promise<void> {
  const calls = 300;
  await compare(2, (client) => timeCalls(client, 200));
  const plain = await compare(25, (client) => timeCalls(client, calls));

  // Per chunk: the difference between a 200-chunk and a 1-chunk-worth stream would need two
  // bodies; instead the per-call overhead measured above is taken off the streamed difference.
  const streams = 20;
  await compare(2, (client) => timeStreams(client, 10));
  const streamed = await compare(25, (client) => timeStreams(client, streams));
  const perStreamRawUs = streamed.raw / streams;
  const perStreamWrappedUs = streamed.wrapped / streams;
  const perCallAddedUs = plain.wrapped - plain.raw;
  const perChunkAddedUs = (perStreamWrappedUs - perStreamRawUs - perCallAddedUs) / STREAM_CHUNKS;

  const rows = [
    ['non-streaming call (µs/call)', plain.raw, plain.wrapped, perCallAddedUs, 50],
    [`stream of ${STREAM_CHUNKS} chunks (µs/stream)`, perStreamRawUs, perStreamWrappedUs, perStreamWrappedUs - perStreamRawUs, undefined],
    ['per streamed chunk (µs/chunk, call overhead removed)', undefined, undefined, perChunkAddedUs, 2],
  ] as const;
  process.stdout.write('| row | raw | wrapped | added | target |\n|---|---:|---:|---:|---:|\n');
  for (const [name, raw, wrapped, added, target] of rows) {
    const cell = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));
    process.stdout.write(`| ${name} | ${cell(raw)} | ${cell(wrapped)} | ${cell(added)} | ${target === undefined ? '' : `≤ ${target}`} |\n`);
  }
}

await main();
