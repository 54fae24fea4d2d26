// `npm run bench [-- --quick] [-- --out DIR] [-- --python VENV/bin/python] [-- --only SUITES]`:
// runs every benchmark in one process and writes report.md and speedups.svg (default:
// bench/results/). `--only tokens,limiter,router,pools,wrapper,langchain,counting` runs some
// suites (for work on one component; a report of all nine seed rows needs every suite).
process.env['TOLLGATE_BACKEND'] ??= 'native';

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { renderChart } from './chart.js';
import { startWorkerPool } from './concurrent.js';
import type { BenchContext } from './context.js';
import { floorCosts } from './floor-costs.js';
import { duration, ratio } from './format.js';
import { runPython, withPython } from './python-columns.js';
import { renderReport } from './report.js';
import { countingSections } from './suites/counting.js';
import { limiterSuite } from './suites/limiter.js';
import { poolSuite } from './suites/pools.js';
import { routerSuite } from './suites/router.js';
import { tokenSuite } from './suites/tokens.js';
import { wrapperSuite } from './suites/wrapper.js';
import { geometricMean, meanOf, speedup, type BenchRow, type BenchSection } from './table.js';
import { seedWorkload } from './workload.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' }, python: { type: 'string' }, only: { type: 'string' } } });
const outDir = values.out ?? fileURLToPath(new URL('../results/', import.meta.url));
const quick = values.quick ?? false;
// Python columns: an explicit --python always; TOLLGATE_BENCH_PYTHON only outside quick mode.
const python = values.python ?? (quick ? undefined : process.env['TOLLGATE_BENCH_PYTHON'] || undefined);
// LangChain is imported only when its suite runs: loading it takes seconds.
const langchainSuite = async (context: BenchContext) => (await import('./suites/langchain.js')).langchainSuite(context);
const SUITES = { tokens: tokenSuite, limiter: limiterSuite, router: routerSuite, pools: poolSuite, wrapper: wrapperSuite, langchain: langchainSuite } as const;
const only = new Set((values.only ?? [...Object.keys(SUITES), 'counting'].join(',')).split(',').map((name) => name.trim()));
for (const name of only) {
  if (name !== 'counting' && !(name in SUITES)) throw new Error(`Expected \`--only\` to list suites among ${Object.keys(SUITES).join(', ')}, counting; got ${JSON.stringify(name)}.`);
}
const startedAt = new Date();
const interactive = process.stderr.isTTY === true;
const SEED_ORDER = ['token_counter', 'check_rate_limit', 'connection_pool', 'get_available_deployment', 'check_rate_limit_concurrent', 'connection_pool_concurrent', 'routing_concurrent', 'memory_pressure_tokens', 'memory_pressure_rate_limit'];

let step = 0;
const context: BenchContext = {
  quick,
  cores: os.availableParallelism(),
  workers: await startWorkerPool(8),
  progress(name) {
    step++;
    const elapsed = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3);
    const line = `[bench ${elapsed}s] step ${step}: ${name}`;
    process.stderr.write(interactive ? `\r\x1b[2K${line}` : `${line}\n`);
  },
};

const workload = seedWorkload();
const seedRows: BenchRow[] = [];
const sections: BenchSection[] = [];
const diagnostics: Record<string, number> = {};
try {
  for (const [name, suite] of Object.entries(SUITES)) {
    if (!only.has(name)) continue;
    const result = await suite(context, workload);
    seedRows.push(...result.seedRows);
    sections.push(...result.sections);
    Object.assign(diagnostics, result.diagnostics);
  }
  if (only.has('counting')) sections.unshift(...(await countingSections(context)));
  // The per-call floor the limiter and router notes quote, measured once for both.
  if (only.has('limiter') || only.has('router')) Object.assign(diagnostics, floorCosts(context));
} finally {
  await context.workers.close();
}

let rows = SEED_ORDER.flatMap((name) => seedRows.filter((row) => row.name === name));
let pythonContenders: readonly string[] = [];
let pythonNote: string;
if (python === undefined) {
  pythonNote = `**Python columns not run** in this report${quick ? ' (quick mode)' : ''}: pass \`--python /path/to/venv/bin/python\` (a virtualenv with \`litellm==1.80.0\` and \`fast-litellm==0.1.10\`; see bench/python/run_seed.py) or set \`TOLLGATE_BENCH_PYTHON\`.`;
} else {
  context.progress('Python: LiteLLM and fast-litellm on the same workload');
  try {
    const columns = await runPython(python, workload, quick, quick ? 120_000 : 600_000);
    rows = withPython(rows, columns);
    pythonContenders = columns.contenders;
    pythonNote = `Python columns: run in this same bench run with Python ${columns.python} (${python}). ${Object.entries(columns.notes).map(([k, v]) => `${k}: ${v}`).join(' ')} fast-litellm 0.1.10 declares \`litellm>=1.83.7\`; it was installed with \`--no-deps\` next to LiteLLM 1.80.0, the version of the seed's report. A guard in the script refuses every connection not to 127.0.0.1.`;
  } catch (error) {
    pythonNote = `**Python columns failed** (${python}): ${(error as Error).message}`;
  }
}
if (interactive) process.stderr.write('\n');

const seed: BenchSection = {
  title: 'Seed rows: the Fast LiteLLM report\'s nine, on its workload',
  description: 'The nine rows of the Fast LiteLLM benchmark report, on its medium workload. Baseline: the project\'s pure-TS fallback (for the connection_pool rows, which have no TS fallback: Node\'s global `fetch`, the openai SDK\'s default). Speedup = baseline time / our time; Improvement = time saved against the baseline (the seed\'s definition). Concurrent rows are per operation (wall time / operations, 8 worker threads, start-up excluded).',
  contenders: [...new Set(rows.flatMap((row) => [...row.cells.keys()]))],
  rows,
};
const configuration = [
  'Workload size: medium (the seed\'s)',
  `Text samples: 3 (${workload.texts.map((t) => `${[...t].length.toLocaleString('en-US')} characters`).join(', ')}), from the demo corpus`,
  `Models: ${workload.models.length} (${workload.models.join(', ')})`,
  `Deployments: ${workload.deployments.length} (4 per model)`,
  `Rate-limit keys: ${workload.keys.length}; memory_pressure_rate_limit: ${workload.pressureKeys.toLocaleString('en-US')} keys; memory_pressure_tokens: ${workload.pressureTexts.length} × 1,000 characters`,
  `Connection endpoints: ${workload.endpoints} local HTTP servers on 127.0.0.1`,
  `Warm-up iterations: ${workload.warmup} per cell of the seed rows`,
  `Worker threads for concurrent rows: 8, on ${context.cores} cores`,
];

const seconds = (Date.now() - startedAt.getTime()) / 1000;
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'report.md'), renderReport(sections, { quick, startedAt, seconds, seed, python: pythonContenders, pythonNote, configuration, diagnostics }));
writeFileSync(join(outDir, 'speedups.svg'), renderChart(seed, sections));

for (const row of seed.rows) {
  process.stdout.write(`seed · ${row.name}: ${ratio(speedup(row))} vs ${row.baseline} (${duration(meanOf(row.cells.get(row.subject)) ?? NaN)} vs ${duration(meanOf(row.cells.get(row.baseline)) ?? NaN)}; seed ${ratio(row.seedSpeedup)})\n`);
}
process.stdout.write(`seed · geometric mean: ${ratio(geometricMean(seed.rows.map((row) => speedup(row))))}\n`);
for (const section of sections) {
  for (const row of section.rows) process.stdout.write(`${section.title} · ${row.name}: ${ratio(speedup(row))} vs ${row.baseline}\n`);
}
process.stdout.write(`report: ${join(outDir, 'report.md')}\nchart: ${join(outDir, 'speedups.svg')}\n`);
