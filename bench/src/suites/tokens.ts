// Token counting in the seed's shape: token_counter (3 texts × 5 models) and
// memory_pressure_tokens (100 × 1,000 characters), ours against our TS fallback and the JS
// tokenizers users would pick; and chat counting with tools against a plain-JS cookbook version.
import { getEncoding } from 'js-tiktoken';

import { countChatTokens, countTokens, countTokensBatch, getEncodingNameForModel, type EncodingName } from '@tollgate/core-native';
import { createFallbackBackend } from '../../../packages/core-native/src/fallback/fallback-backend.js';
import type { BenchContext } from '../context.js';
import { measure, type MeasureOptions } from '../harness.js';
import { countPeer, loadPeer, PEERS } from '../peers.mjs';
import { plainChatTokens, type PlainMessage, type PlainTool } from '../plain-chat-count.js';
import type { BenchRow, Cell, SuiteResult } from '../table.js';
import type { SeedWorkload } from '../workload.js';

const NATIVE = 'tollgate native';
const FALLBACK = 'tollgate TS fallback';
/** Diagnostic column of memory_pressure_tokens: countTokens in a loop instead of the batch call. */
export const NATIVE_LOOP = 'tollgate native, one call per text';

function runs(context: BenchContext, warmup: number, unitsPerRun: number): MeasureOptions {
  return { warmup, minIterations: context.quick ? 3 : 20, budgetMs: context.quick ? 60 : 800, unitsPerRun };
}

type Counter = (text: string) => number;

/** Times `counter` over every (text, encoding) pair; checks each count against ours first. */
function cellFor(context: BenchContext, warmup: number, pairs: readonly (readonly [string, EncodingName])[], counters: Map<EncodingName, Counter>, mismatches: string[], label: string): Cell {
  for (const [text, encoding] of pairs) {
    const theirs = counters.get(encoding)!(text);
    const ours = countTokens(text, { encoding });
    if (theirs !== ours) mismatches.push(`${label} counted ${theirs} on ${encoding}, we counted ${ours}`);
  }
  const measurement = measure(() => {
    for (const [text, encoding] of pairs) counters.get(encoding)!(text);
  }, runs(context, warmup, pairs.length));
  return { measurement };
}

/** The token rows: two of the seed's nine, and chat counting with tools. */
export async function tokenSuite(context: BenchContext, workload: SeedWorkload): Promise<SuiteResult> {
  const fallback = createFallbackBackend();
  const encodings = [...new Set(workload.models.map((m) => getEncodingNameForModel(m)))];
  const peerCounters = new Map<string, Map<EncodingName, Counter>>();
  for (const peer of PEERS) {
    const byEncoding = new Map<EncodingName, Counter>();
    for (const encoding of encodings) {
      const counter = await loadPeer(peer, encoding);
      byEncoding.set(encoding, (text) => countPeer(counter, text));
    }
    peerCounters.set(peer, byEncoding);
  }
  const seedRows: BenchRow[] = [];
  for (const [name, seedSpeedup, perRun, pairs] of [
    ['token_counter', 0.53, '15 counts: 3 texts (63, 1,000 and 5,000 characters) × 5 models', workload.texts.flatMap((text) => workload.models.map((m) => [text, m] as const))],
    ['memory_pressure_tokens', 1.68, '100 texts of 1,000 characters (gpt-4o)', workload.pressureTexts.map((text) => [text, 'gpt-4o'] as const)],
  ] as const) {
    const byEncoding = pairs.map(([text, model]) => [text, getEncodingNameForModel(model)] as const);
    const mismatches: string[] = [];
    const cells = new Map<string, Cell>();
    context.progress(`${name}: ${NATIVE}`);
    if (name === 'token_counter') {
      cells.set(NATIVE, { measurement: measure(() => pairs.forEach(([text, model]) => countTokens(text, { model })), runs(context, workload.warmup, pairs.length)) });
    } else {
      const texts = pairs.map(([text]) => text);
      cells.set(NATIVE, { measurement: measure(() => countTokensBatch(texts, { model: 'gpt-4o' }), runs(context, workload.warmup, pairs.length)) });
      cells.set(NATIVE_LOOP, { measurement: measure(() => texts.forEach((text) => countTokens(text, { model: 'gpt-4o' })), runs(context, workload.warmup, pairs.length)) });
    }
    context.progress(`${name}: ${FALLBACK}`);
    // The fallback as countTokens runs it on the TS backend: resolve the model, then count.
    cells.set(FALLBACK, { measurement: measure(() => pairs.forEach(([text, model]) => fallback.count(getEncodingNameForModel(model), text, 0)), runs(context, workload.warmup, pairs.length)) });
    for (const [peer, counters] of peerCounters) {
      context.progress(`${name}: ${peer}`);
      cells.set(peer, cellFor(context, workload.warmup, byEncoding, counters, mismatches, peer));
    }
    const note = mismatches.length > 0 ? `count mismatch: ${mismatches.join('; ')}` : undefined;
    seedRows.push({ name, throughputUnit: 'counts/s', cells, baseline: FALLBACK, subject: NATIVE, seedSpeedup, perRun, ...(note ? { note } : {}) });
  }
  return { seedRows, sections: [chatSection(context, workload)] };
}

const TOOLS: PlainTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a city.', parameters: { type: 'object', properties: { city: { type: 'string', description: 'City and country, e.g. Paris, France' }, unit: { type: 'string', description: 'Temperature unit', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } } },
  { type: 'function', function: { name: 'search_orders', description: 'Find orders of the signed-in customer.', parameters: { type: 'object', properties: { status: { type: 'string', description: 'Order status', enum: ['open', 'shipped', 'delivered', 'returned'] }, since: { type: 'string', description: 'ISO date of the oldest order to include' }, limit: { type: 'integer', description: 'Most orders to return' } } } } },
  { type: 'function', function: { name: 'create_ticket', description: 'Open a support ticket.', parameters: { type: 'object', properties: { subject: { type: 'string', description: 'One-line summary' }, body: { type: 'string', description: 'What happened, in the customer\'s words' }, priority: { type: 'string', description: 'How urgent', enum: ['low', 'normal', 'high'] } }, required: ['subject', 'body'] } } },
];

function chatSection(context: BenchContext, workload: SeedWorkload): SuiteResult['sections'][number] {
  const [short, medium, long] = workload.texts as [string, string, string];
  const messages: PlainMessage[] = [
    { role: 'system', content: 'You are a careful support assistant. Use the tools when they help; answer in the user\'s language.' },
    { role: 'user', content: short },
    { role: 'assistant', content: medium.slice(0, 400) },
    { role: 'user', content: medium },
    { role: 'assistant', content: long.slice(0, 1_500) },
    { role: 'user', content: 'Thanks. Please open a ticket about the late order and tell me the weather in Lisbon.', name: 'customer_42' },
  ];
  const rows: BenchRow[] = [];
  for (const [model, functionInit] of [['gpt-4o', 7], ['gpt-4', 10]] as const) {
    context.progress(`chat counting with tools (${model})`);
    const encoder = getEncoding(getEncodingNameForModel(model) as 'o200k_base' | 'cl100k_base');
    const ours = countChatTokens(messages, { model, tools: TOOLS }).tokens;
    const plain = plainChatTokens(encoder, messages, TOOLS, functionInit);
    const cells = new Map<string, Cell>([
      [NATIVE, { measurement: measure(() => countChatTokens(messages, { model, tools: TOOLS }), runs(context, 3, 1)) }],
      ['plain JS on js-tiktoken', { measurement: measure(() => plainChatTokens(encoder, messages, TOOLS, functionInit), runs(context, 3, 1)) }],
    ]);
    const note = ours === plain ? `both count ${ours} tokens` : `count mismatch: countChatTokens ${ours}, plain JS ${plain}`;
    rows.push({ name: `6 messages + 3 tools (${model})`, throughputUnit: 'counts/s', cells, baseline: 'plain JS on js-tiktoken', subject: NATIVE, note });
  }
  return {
    title: 'Chat counting with tools',
    description: 'countChatTokens against the OpenAI cookbook rules written in plain JS on js-tiktoken (what a user would write). Speedup: plain JS time / ours. Both must give the same count.',
    contenders: [NATIVE, 'plain JS on js-tiktoken'],
    rows,
  };
}
