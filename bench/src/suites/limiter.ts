// Rate limiting: the seed's check_rate_limit rows (50 keys, 8 threads, 1,000 fresh keys) and
// rows beyond it (a resolved key handle; 1,000,000 keys with memory), ours native against our TS
// fallback, rate-limiter-flexible and bottleneck.
import { createLimiter } from '@tollgate/core-native';
import type { BenchContext } from '../context.js';
import { LIMITER_LABELS, limiterRunner } from '../contenders/limiters.js';
import { megabytes } from '../format.js';
import { collectGarbage, measure, measureAsync, rssMb, memoryMb, summarise, type MeasureOptions } from '../harness.js';
import type { BenchRow, Cell, SuiteResult } from '../table.js';
import type { LimiterContender } from '../workers/jobs.js';
import { NEVER_REFUSED, type SeedWorkload } from '../workload.js';

const ALL: readonly LimiterContender[] = ['native', 'fallback', 'rate-limiter-flexible', 'bottleneck'];
const CONTENDERS = ALL.map((c) => LIMITER_LABELS[c]);
const NATIVE = LIMITER_LABELS.native;
const FALLBACK = LIMITER_LABELS.fallback;
/** Diagnostic column of the concurrent row: the same work as the fallback's (nothing shared). */
export const PRIVATE_NATIVE = 'tollgate native, private per thread';
/** Diagnostic column of the key rows: the same checks in one `tryAcquireMany` call. */
export const BATCHED_NATIVE = 'tollgate native, the same checks in one tryAcquireMany';

function runs(context: BenchContext, warmup: number, unitsPerRun: number): MeasureOptions {
  return { warmup, minIterations: context.quick ? 3 : 20, budgetMs: context.quick ? 50 : 600, unitsPerRun };
}

// Bottleneck goes through a timer per job (about 1 ms each here), so it gets few, short runs.
function slowRuns(context: BenchContext, unitsPerRun: number, long: boolean): MeasureOptions {
  return { warmup: context.quick && long ? 0 : 1, minIterations: context.quick ? 1 : 3, budgetMs: 0, unitsPerRun };
}

/** One timed run = one check on each key, through `contender`. */
async function keysCell(context: BenchContext, contender: LimiterContender, keys: readonly string[], warmup: number, fresh: boolean): Promise<Cell> {
  let runner = limiterRunner(contender, keys);
  const renew = () => {
    runner.close();
    runner = limiterRunner(contender, keys);
  };
  const options = contender === 'bottleneck' ? slowRuns(context, keys.length, fresh) : runs(context, warmup, keys.length);
  let measurement;
  if (runner.async) {
    measurement = await measureAsync(async () => {
      if (fresh) renew();
      for (let i = 0; i < keys.length; i++) await runner.step(i);
    }, options);
  } else {
    measurement = measure(() => {
      if (fresh) renew();
      for (let i = 0; i < keys.length; i++) void runner.step(i);
    }, options);
  }
  runner.close();
  return { measurement };
}

/** 8 threads; native shares one named limiter unless `privateNative` (the others cannot share). */
async function concurrentCell(context: BenchContext, contender: LimiterContender, keys: readonly string[], privateNative = false, threads = 8): Promise<Cell> {
  const base = contender === 'bottleneck' ? 100 : contender === 'rate-limiter-flexible' ? 4_000 : 20_000;
  const name = contender.startsWith('native') && !privateNative ? `bench-limiter-${process.pid}-${Date.now()}` : '';
  const measurement = await context.workers.measure(
    { kind: 'limiter', contender, name, keys },
    { threads, opsPerThread: context.quick ? base / 10 : base, warmupRounds: context.quick ? 1 : 3, rounds: context.quick ? 2 : contender === 'bottleneck' ? 3 : 8 },
  );
  return { measurement };
}

/** N new keys, one check each: time per run and the memory the keys hold afterwards. */
async function manyKeysCell(contender: LimiterContender, count: number): Promise<[Cell, string]> {
  const keys = Array.from({ length: count }, (_, i) => `key:${i}`);
  // Batched: rounds of 1,000 new keys per `tryAcquireMany`, cut before the clock starts.
  const rounds = contender === 'native-batched' ? Array.from({ length: Math.ceil(count / 1_000) }, (_, i) => keys.slice(i * 1_000, (i + 1) * 1_000)) : [];
  collectGarbage();
  const heapBefore = memoryMb();
  const rssBefore = rssMb();
  const runner = limiterRunner(contender, rounds[0] ?? keys);
  const started = performance.now();
  if (runner.async) for (let i = 0; i < count; i++) await runner.step(i);
  else if (contender === 'native-batched') for (const round of rounds) runner.many(round);
  else for (let i = 0; i < count; i++) void runner.step(i);
  const elapsed = performance.now() - started;
  collectGarbage();
  const heap = memoryMb() - heapBefore;
  const rss = rssMb() - rssBefore;
  runner.close();
  return [{ measurement: summarise([elapsed], count, heap, rss) }, `${contender}: heap ${megabytes(heap)}, RSS ${megabytes(rss)}`];
}

/** One timed run = one `tryAcquireMany` over all `keys` (a new limiter first when `fresh`). */
function batchCell(context: BenchContext, keys: readonly string[], warmup: number, fresh: boolean): Cell {
  let limiter = createLimiter({ backend: 'native', requestsPerMinute: NEVER_REFUSED });
  const measurement = measure(() => {
    if (fresh) {
      limiter.close();
      limiter = createLimiter({ backend: 'native', requestsPerMinute: NEVER_REFUSED });
    }
    const batch = limiter.tryAcquireMany(keys);
    if (batch.admitted !== keys.length) throw new Error(`tryAcquireMany admitted ${batch.admitted} of ${keys.length}`);
  }, runs(context, warmup, keys.length));
  limiter.close();
  return { measurement };
}

function handleCell(context: BenchContext, backend: 'native' | 'fallback'): Cell {
  const limiter = createLimiter({ backend, requestsPerMinute: NEVER_REFUSED });
  const key = limiter.key('user:1');
  const measurement = measure(() => {
    for (let i = 0; i < 1_000; i++) limiter.tryAcquire(key);
  }, runs(context, 3, 1_000));
  limiter.close();
  return { measurement };
}

/**
 * Diagnostic of a single check: the store call alone (no Limiter wrapper: no decision or lease
 * object), per backend, over the 50 string keys. ms per check.
 */
function checkBreakdown(context: BenchContext, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const backend of ['native', 'fallback'] as const) {
    const limiter = createLimiter({ backend, requestsPerMinute: NEVER_REFUSED });
    const m = measure(() => {
      for (const key of keys) limiter.store.tryNamed(limiter.id, key, 1, 0, Date.now());
    }, runs(context, 3, keys.length));
    out[`check.store.${backend}`] = m.meanMs / keys.length;
    limiter.close();
  }
  return out;
}

/** The limiter rows: three of the seed's nine, and a section of rows beyond it. */
export async function limiterSuite(context: BenchContext, workload: SeedWorkload): Promise<SuiteResult> {
  const pressureKeys = Array.from({ length: workload.pressureKeys }, (_, i) => `tenant:${i}`);
  const row = async (name: string, seedSpeedup: number, perRun: string, cell: (c: LimiterContender) => Promise<Cell>): Promise<BenchRow> => {
    const cells = new Map<string, Cell>();
    for (const contender of ALL) {
      context.progress(`${name}: ${LIMITER_LABELS[contender]}`);
      cells.set(LIMITER_LABELS[contender], await cell(contender));
    }
    return { name, throughputUnit: 'checks/s', cells, baseline: FALLBACK, subject: NATIVE, seedSpeedup, perRun };
  };
  const concurrentRow = await row('check_rate_limit_concurrent', 0.71, 'one check; 8 threads round-robin over the 50 keys (native: one limiter shared by all threads; the others: one per thread, they cannot share)', (c) => concurrentCell(context, c, workload.keys));
  context.progress('check_rate_limit_concurrent: native, private per thread');
  (concurrentRow.cells as Map<string, Cell>).set(PRIVATE_NATIVE, await concurrentCell(context, 'native', workload.keys, true));
  context.progress(`check_rate_limit_concurrent: ${context.cores} threads`);
  (concurrentRow.cells as Map<string, Cell>).set(`${NATIVE}, ${context.cores} threads`, await concurrentCell(context, 'native', workload.keys, false, context.cores));
  (concurrentRow.cells as Map<string, Cell>).set(`${FALLBACK}, ${context.cores} threads`, await concurrentCell(context, 'fallback', workload.keys, false, context.cores));
  context.progress('check_rate_limit_concurrent: native, batched');
  (concurrentRow.cells as Map<string, Cell>).set(`${BATCHED_NATIVE} (50 per call), 8 threads`, await concurrentCell(context, 'native-batched', workload.keys));
  const seedRows = [
    await row('check_rate_limit', 1.55, '50 checks, one per key (string keys)', (c) => keysCell(context, c, workload.keys, workload.warmup, false)),
    concurrentRow,
    await row('memory_pressure_rate_limit', 1.13, 'a new limiter, then one check on each of 1,000 new keys', (c) => keysCell(context, c, pressureKeys, workload.warmup, true)),
  ];
  context.progress('check_rate_limit and memory_pressure_rate_limit: the same checks batched');
  (seedRows[0]!.cells as Map<string, Cell>).set(BATCHED_NATIVE, batchCell(context, workload.keys, workload.warmup, false));
  (seedRows[2]!.cells as Map<string, Cell>).set(BATCHED_NATIVE, batchCell(context, pressureKeys, workload.warmup, true));

  const count = context.quick ? 100_000 : 1_000_000;
  const big = new Map<string, Cell>();
  const memory: string[] = [];
  for (const contender of ['native', 'native-batched', 'fallback', 'rate-limiter-flexible'] as const) {
    context.progress(`limiter with ${count.toLocaleString('en-US')} keys: ${LIMITER_LABELS[contender]}`);
    const [cell, note] = await manyKeysCell(contender, count);
    big.set(LIMITER_LABELS[contender], cell);
    memory.push(note);
  }
  big.set(LIMITER_LABELS.bottleneck, { skipped: 'not run (one Bottleneck limiter per key)' });
  context.progress('limiter: resolved key handle');
  const handle = new Map<string, Cell>([
    [NATIVE, handleCell(context, 'native')],
    [FALLBACK, handleCell(context, 'fallback')],
    [LIMITER_LABELS['rate-limiter-flexible'], { skipped: 'no handle API' }],
    [LIMITER_LABELS.bottleneck, { skipped: 'no handle API' }],
  ]);
  return {
    seedRows,
    diagnostics: checkBreakdown(context, workload.keys),
    sections: [
      {
        title: 'Rate limiting beyond the seed',
        description: 'Speedup: TS fallback time / native time. The new-keys row is one run of all checks (its time is for all of them). Memory is measured after a full garbage collection; RSS catches the native key table, which the JS heap does not see.',
        contenders: CONTENDERS,
        rows: [
          { name: `${count.toLocaleString('en-US')} new keys, one check each`, throughputUnit: 'checks/s', cells: big, baseline: FALLBACK, subject: NATIVE, note: `memory held afterwards — ${memory.join('; ')}.` },
          { name: '1,000 checks on one resolved LimiterKey handle', throughputUnit: 'checks/s', cells: handle, baseline: FALLBACK, subject: NATIVE },
        ],
      },
    ],
  };
}
