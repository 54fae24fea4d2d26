// Wrapper overhead: the time wrapOpenAI adds per non-streaming call and per streamed chunk. The raw
// and the wrapped `openai` client both talk to an in-process `fetch` that answers at once with
// canned responses, so no network noise hides the overhead. No socket is opened.
import { performance } from 'node:perf_hooks';

import OpenAI from 'openai';

import { wrapOpenAI } from '@tollgate/openai';
import type { BenchContext } from '../context.js';
import { collectGarbage, memoryMb, rssMb, summarise, type Measurement } from '../harness.js';
import type { BenchRow, SuiteResult } from '../table.js';

const RAW = 'openai client (raw)';
const WRAPPED = 'wrapOpenAI(openai client)';
/** The targets, in µs added by the wrapper. */
const TARGET_CALL_US = 50;
const TARGET_CHUNK_US = 2;
const STREAM_CHUNKS = 200;

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
  // The base URL is never reached: every request goes to `cannedFetch`.
  return new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://127.0.0.1:9/v1', fetch: cannedFetch, maxRetries: 0 });
}

async function calls(client: OpenAI, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) await client.chat.completions.create({ model: 'gpt-4o', messages });
}

async function streams(client: OpenAI, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })) void chunk;
  }
}

/** Time per unit (call or chunk) of one round, ms. */
async function timed(units: number, run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / units;
}

/**
 * Heap and RSS growth during one untimed round after a full GC. Kept apart from the timed rounds:
 * right after a full GC the same calls ran several times slower here, so a GC per timed round
 * would distort the times.
 */
async function grows(run: () => Promise<void>): Promise<{ heapMb: number; rssMb: number }> {
  collectGarbage();
  const heap = memoryMb();
  const rss = rssMb();
  await run();
  return { heapMb: memoryMb() - heap, rssMb: rssMb() - rss };
}

/**
 * Alternating rounds of the raw and the wrapped client (alternation lets the drift of a shared
 * machine hit both alike), after `warmup` rounds each that are not kept, then one memory round
 * each. Every round runs `run(client)`, which does `units` units of work.
 */
async function compare(warmup: number, rounds: number, units: number, run: (client: OpenAI) => Promise<void>): Promise<{ raw: Measurement; wrapped: Measurement }> {
  const raw = makeClient();
  const wrapped = wrapOpenAI(makeClient());
  for (let index = 0; index < warmup; index += 1) {
    await run(raw);
    await run(wrapped);
  }
  const rawTimes: number[] = [];
  const wrappedTimes: number[] = [];
  for (let index = 0; index < rounds; index += 1) {
    rawTimes.push(await timed(units, () => run(raw)));
    wrappedTimes.push(await timed(units, () => run(wrapped)));
  }
  const rawMemory = await grows(() => run(raw));
  const wrappedMemory = await grows(() => run(wrapped));
  return {
    raw: summarise(rawTimes, 1, rawMemory.heapMb, rawMemory.rssMb),
    wrapped: summarise(wrappedTimes, 1, wrappedMemory.heapMb, wrappedMemory.rssMb),
  };
}

interface Added {
  readonly min: number;
  readonly median: number;
  readonly mean: number;
}

/** µs added by the wrapper, from the fastest rounds, the medians and the means, less `less` of each. */
function added(raw: Measurement, wrapped: Measurement, less: Added = { min: 0, median: 0, mean: 0 }): Added {
  return {
    min: (wrapped.minMs - raw.minMs) * 1000 - less.min,
    median: (wrapped.medianMs! - raw.medianMs!) * 1000 - less.median,
    mean: (wrapped.meanMs - raw.meanMs) * 1000 - less.mean,
  };
}

const us = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)} µs`;
const verdict = (value: number, target: number) => (value <= target ? 'pass' : 'FAIL');

/** The wrapper rows: raw against wrapped client, per non-streaming call and per streamed chunk. */
export async function wrapperSuite(context: BenchContext): Promise<SuiteResult> {
  const rounds = context.quick ? 8 : 25;
  const perRound = context.quick ? 60 : 300;
  const streamsPerRound = context.quick ? 3 : 20;
  // Warm-up: here the wrapped calls settled only after about 1,500 calls (the JIT), so quick mode
  // warms up about as many calls as a full run does.
  const warmupRounds = context.quick ? 25 : 6;
  // A stream already repeats its per-chunk path 200 times, and shares the call path warmed above.
  const streamWarmupRounds = context.quick ? 10 : 6;

  context.progress('wrapper overhead: non-streaming calls');
  const plain = await compare(warmupRounds, rounds, perRound, (client) => calls(client, perRound));
  const call = added(plain.raw, plain.wrapped);

  // Per chunk: the streamed difference, less the per-call overhead measured above, over the chunks.
  context.progress('wrapper overhead: streamed chunks');
  const streamed = await compare(streamWarmupRounds, rounds, streamsPerRound * STREAM_CHUNKS, (client) => streams(client, streamsPerRound));
  const chunk = added(streamed.raw, streamed.wrapped, { min: call.min / STREAM_CHUNKS, median: call.median / STREAM_CHUNKS, mean: call.mean / STREAM_CHUNKS });

  const overheadOf = (value: Added, target: number, unit: string) =>
    `${us(value.min)} added per ${unit} (fastest of ${rounds} alternating rounds each; from the medians ${us(value.median)}, from the means ${us(value.mean)}); target ≤ ${target} µs: **${verdict(value.min, target)}**`;
  const rows: BenchRow[] = [
    {
      name: `non-streaming call: ${us(call.min)} per call`,
      throughputUnit: 'calls/s',
      cells: new Map([[WRAPPED, { measurement: plain.wrapped }], [RAW, { measurement: plain.raw }]]),
      baseline: RAW,
      subject: WRAPPED,
      perRun: `one chat.completions.create call (a round: ${perRound} calls, one at a time)`,
      note: overheadOf(call, TARGET_CALL_US, 'call'),
      overhead: { addedUs: call.min, targetUs: TARGET_CALL_US, per: 'call' },
    },
    {
      name: `streamed chunk: ${us(chunk.min)} per chunk`,
      throughputUnit: 'chunks/s',
      cells: new Map([[WRAPPED, { measurement: streamed.wrapped }], [RAW, { measurement: streamed.raw }]]),
      baseline: RAW,
      subject: WRAPPED,
      perRun: `one chunk of a ${STREAM_CHUNKS}-chunk stream, the stream's call included (a round: ${streamsPerRound} streams)`,
      note: `${overheadOf(chunk, TARGET_CHUNK_US, 'chunk')}. The times in the row are per chunk with the call's own cost spread over the ${STREAM_CHUNKS} chunks; the added time is (wrapped − raw time per stream − the per-call overhead above) / ${STREAM_CHUNKS}`,
      overhead: { addedUs: chunk.min, targetUs: TARGET_CHUNK_US, per: 'chunk' },
    },
  ];
  const pass = (value: number, target: number) => `${us(value)} against ≤ ${target} µs, **${verdict(value, target)}**`;
  return {
    seedRows: [],
    sections: [
      {
        title: 'wrapOpenAI overhead per call and per streamed chunk',
        description: [
          `The same \`openai\` client raw and wrapped by \`wrapOpenAI\`, both on an in-process \`fetch\` that answers at once with a canned completion (or a ${STREAM_CHUNKS}-chunk stream with usage), so the difference is the time the wrapper adds. It is wrapped with no options: it counts the prompt, checks the context window and settles usage and cost (the usage record is built and published); no limiter and no routing.`,
          `Issue 7's targets: per call ${pass(call.min, TARGET_CALL_US)}; per chunk ${pass(chunk.min, TARGET_CHUNK_US)}.`,
          `Here the "speedup" is raw time / wrapped time, so it is below 1.0x by construction: the wrapper does more work than the client alone, and 1 − ratio is the share of a call (or chunk) spent in the wrapper on a server that answers in no time; against a real API's latency of hundreds of ms it vanishes. These rows are not speedups, do not enter the seed's geometric mean, and are left out of the chart's bars.`,
          `Each cell is ${rounds} rounds alternating raw and wrapped (after ${warmupRounds} warm-up rounds each, ${streamWarmupRounds} for the streams); a cell's time is per call or per chunk and its iterations are rounds. Heap Δ / RSS Δ are the growth during one more, untimed round per client after a full GC (not before the timed rounds: right after a full GC the same calls ran several times slower). The added time is the difference of the fastest rounds: other work on a shared machine only ever adds time, so the fastest round is the least disturbed (the notes also give it from the medians and the means; the ratio column uses the means, like every row).`,
        ].join(' '),
        contenders: [WRAPPED, RAW],
        rows,
      },
    ],
  };
}
