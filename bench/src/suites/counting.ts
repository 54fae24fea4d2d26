import { Worker } from 'node:worker_threads';

import { countTokens, countTokensBatch } from '@tollgate/core-native';
import { createFallbackBackend } from '../../../packages/core-native/src/fallback/fallback-backend.js';
import { chunksOfBytes, corpusText, prefixOfBytes } from '../corpus-text.js';
import { measure, summarise, type MeasureOptions } from '../harness.js';
import { countPeer, loadPeer, PEERS } from '../peers.mjs';
import type { BenchRow, BenchSection, Cell } from '../table.js';
import type { BenchContext } from '../context.js';

const ENCODING = 'o200k_base';
const NATIVE = 'tollgate native';
const FALLBACK = 'tollgate TS fallback';
const CONTENDERS = [NATIVE, FALLBACK, ...PEERS];

const SIZES: [string, number][] = [['100 B', 100], ['1 KB', 1_000], ['10 KB', 10_000], ['100 KB', 100_000], ['1 MB', 1_000_000]];
const RUNS: [string, string][] = [["'a' × 10^4", 'a'.repeat(1e4)], ["'a' × 10^5", 'a'.repeat(1e5)], ["'a' × 10^6", 'a'.repeat(1e6)], ["'.' × 10^6", '.'.repeat(1e6)]];

function options(context: BenchContext, bytes: number): MeasureOptions {
  // Quick mode: one warm-up, and fewer runs on the big texts (js-tiktoken takes seconds on 1 MB).
  if (context.quick) return { warmup: 1, minIterations: bytes >= 100_000 ? 1 : 3, budgetMs: 60, unitsPerRun: bytes / 1e6 };
  return { warmup: 3, minIterations: 10, budgetMs: 700, unitsPerRun: bytes / 1e6 };
}

/** Runs a peer once in a worker; a run past the cap is stopped and reported as skipped. */
function peerInWorker(peer: string, text: string, capMs: number): Promise<Cell> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('../peer-worker.mjs', import.meta.url), { workerData: { peer, encoding: ENCODING, text } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ skipped: `> ${capMs / 1000} s (stopped)` });
    }, capMs);
    worker.once('message', (result: { ms: number }) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve({ measurement: summarise([result.ms], Buffer.byteLength(text) / 1e6, 0) });
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ skipped: `failed: ${error.message}` });
    });
  });
}

async function realTextRows(context: BenchContext, text: string): Promise<BenchRow[]> {
  const fallback = createFallbackBackend();
  const peers = await Promise.all(PEERS.map(async (peer) => [peer, await loadPeer(peer, ENCODING)] as const));
  const rows: BenchRow[] = [];
  for (const [label, bytes] of SIZES) {
    context.progress(`counting ${label}`);
    const sample = prefixOfBytes(text, bytes);
    const expected = countTokens(sample, { encoding: ENCODING });
    const cells = new Map<string, Cell>();
    const mismatches: string[] = [];
    const check = (name: string, count: number) => count !== expected && mismatches.push(`${name} counted ${count}, we counted ${expected}`);
    cells.set(NATIVE, { measurement: measure(() => countTokens(sample, { encoding: ENCODING }), options(context, bytes)) });
    check(FALLBACK, fallback.count(ENCODING, sample, 0));
    cells.set(FALLBACK, { measurement: measure(() => fallback.count(ENCODING, sample, 0), options(context, bytes)) });
    for (const [peer, counter] of peers) {
      check(peer, countPeer(counter, sample));
      cells.set(peer, { measurement: measure(() => countPeer(counter, sample), options(context, bytes)) });
    }
    const note = mismatches.length > 0 ? `count mismatch: ${mismatches.join('; ')}` : undefined;
    rows.push({ name: `real text, ${label}`, throughputUnit: 'MB/s', cells, baseline: 'gpt-tokenizer', subject: NATIVE, ...(note ? { note } : {}) });
  }
  return rows;
}

async function adversarialRows(context: BenchContext): Promise<BenchRow[]> {
  const fallback = createFallbackBackend();
  const capMs = context.quick ? 1_000 : 10_000;
  const rows: BenchRow[] = [];
  for (const [label, text] of RUNS) {
    context.progress(`counting ${label}`);
    const cells = new Map<string, Cell>();
    const bytes = text.length;
    const runs = { warmup: 1, minIterations: context.quick ? 1 : 5, budgetMs: 0, unitsPerRun: bytes / 1e6 };
    cells.set(NATIVE, { measurement: measure(() => countTokens(text, { encoding: ENCODING }), runs) });
    cells.set(FALLBACK, { measurement: measure(() => fallback.count(ENCODING, text, 0), runs) });
    for (const peer of PEERS) cells.set(peer, await peerInWorker(peer, text, capMs));
    rows.push({ name: label, throughputUnit: 'MB/s', cells, baseline: FALLBACK, subject: NATIVE });
  }
  return rows;
}

function batchRows(context: BenchContext, text: string): BenchRow[] {
  context.progress('batch counting');
  const rows: BenchRow[] = [];
  for (const [label, count, bytes] of [['1,000 × 1 KB', 1000, 1000], ['100 × 1 KB', 100, 1000]] as const) {
    const texts = chunksOfBytes(text, count, bytes);
    const total = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
    const opts = options(context, total);
    const cells = new Map<string, Cell>([
      ['sequential countTokens', { measurement: measure(() => texts.forEach((t) => countTokens(t, { encoding: ENCODING })), opts) }],
      ['countTokensBatch', { measurement: measure(() => countTokensBatch(texts, { encoding: ENCODING }), opts) }],
    ]);
    rows.push({ name: label, throughputUnit: 'MB/s', cells, baseline: 'sequential countTokens', subject: 'countTokensBatch' });
  }
  return rows;
}

/** Token counting: ours against the TS fallback and the JS tokenizers users would pick. */
export async function countingSections(context: BenchContext): Promise<BenchSection[]> {
  const text = corpusText();
  return [
    {
      title: 'Token counting on real text (o200k_base)',
      description: 'Prefixes of the demo corpus (many languages and code). Speedup: gpt-tokenizer time / native time. Every contender\'s count is checked against ours.',
      contenders: CONTENDERS,
      rows: await realTextRows(context, text),
    },
    {
      title: 'Adversarial runs without spaces (o200k_base)',
      description: `One long piece each. Peers run in a worker thread and are stopped at the time cap (they are quadratic here). Speedup: TS fallback time / native time.`,
      contenders: CONTENDERS,
      rows: await adversarialRows(context),
    },
    {
      title: `Batch counting on ${context.cores} cores`,
      description: 'countTokensBatch (one crossing, spread over all cores) against a loop of countTokens on the main thread. Speedup: loop time / batch time.',
      contenders: ['sequential countTokens', 'countTokensBatch'],
      rows: batchRows(context, text),
    },
  ];
}
