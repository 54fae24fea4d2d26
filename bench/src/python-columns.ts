// Python columns of the seed rows: runs bench/python/run_seed.py (LiteLLM 1.80.0 and
// fast-litellm 0.1.10, from a virtualenv the user points at) on the same workload, with its own
// local servers on 127.0.0.1 for the pool rows, and merges its cells into the seed rows.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { summarise } from './harness.js';
import { startServers } from './local-servers.js';
import type { BenchRow, Cell } from './table.js';
import type { SeedWorkload } from './workload.js';

const SCRIPT = fileURLToPath(new URL('../python/run_seed.py', import.meta.url));

/** What the Python run gave: its contenders (column order), notes, and cells by row. */
export interface PythonColumns {
  readonly python: string;
  readonly contenders: readonly string[];
  readonly notes: Readonly<Record<string, string>>;
  readonly rows: Readonly<Record<string, Readonly<Record<string, RawCell>>>>;
}

type RawCell = { iterations: number; meanMs: number; medianMs?: number; minMs: number; maxMs: number; stdDevMs: number } | { skipped: string };

/** Runs the script with `python` (a virtualenv's interpreter); rejects with the reason it failed. */
export async function runPython(python: string, workload: SeedWorkload, quick: boolean, timeoutMs: number): Promise<PythonColumns> {
  const servers = await startServers(workload.endpoints);
  try {
    const child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdin.end(JSON.stringify({ ...workload, quick, urls: servers.urls }));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    }).finally(() => clearTimeout(timer));
    if (code !== 0) throw new Error(`exit ${code}: ${err.trim().split('\n').slice(-3).join(' / ')}`);
    return JSON.parse(out) as PythonColumns;
  } finally {
    await servers.close();
  }
}

/** Adds the Python cells to the seed rows (rows without a Python equivalent get `n/a`). */
export function withPython(rows: readonly BenchRow[], columns: PythonColumns): BenchRow[] {
  return rows.map((row) => {
    const cells = new Map(row.cells);
    const subject = row.cells.get(row.subject);
    // Units per run of this row (e.g. 15 counts), so Python throughput is in the row's unit.
    const units = subject !== undefined && 'measurement' in subject ? (subject.measurement.throughput * subject.measurement.meanMs) / 1000 : 1;
    const raw = columns.rows[row.name] ?? {};
    for (const contender of columns.contenders) {
      const value = raw[contender];
      let cell: Cell;
      if (value === undefined) cell = { skipped: 'n/a' };
      else if ('skipped' in value) cell = value;
      else {
        const base = summarise([value.meanMs], 1, 0);
        const { medianMs: _unused, ...rest } = base;
        cell = { measurement: { ...rest, ...(value.medianMs === undefined ? {} : { medianMs: value.medianMs }), iterations: value.iterations, minMs: value.minMs, maxMs: value.maxMs, stdDevMs: value.stdDevMs, throughput: (units * 1000) / value.meanMs, memoryDeltaMb: Number.NaN } };
      }
      cells.set(contender, cell);
    }
    return { ...row, cells };
  });
}
