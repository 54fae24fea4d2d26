// `npm run bench [-- --quick] [-- --out DIR]`: runs every benchmark in one process and writes
// report.md and speedups.svg (default: bench/results/).
process.env['TOLLGATE_BACKEND'] ??= 'native';

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { renderChart } from './chart.js';
import type { BenchContext } from './context.js';
import { renderReport } from './report.js';
import { countingSections } from './suites/counting.js';
import { speedup, type BenchSection } from './table.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } } });
const outDir = values.out ?? fileURLToPath(new URL('../results/', import.meta.url));
const quick = values.quick ?? false;
const startedAt = new Date();
const interactive = process.stderr.isTTY === true;

let step = 0;
const context: BenchContext = {
  quick,
  cores: os.availableParallelism(),
  progress(name) {
    step++;
    const elapsed = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3);
    const line = `[bench ${elapsed}s] step ${step}: ${name}`;
    process.stderr.write(interactive ? `\r\x1b[2K${line}` : `${line}\n`);
  },
};

const sections: BenchSection[] = [...(await countingSections(context))];
if (interactive) process.stderr.write('\n');

const seconds = (Date.now() - startedAt.getTime()) / 1000;
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'report.md'), renderReport(sections, { quick, startedAt, seconds }));
writeFileSync(join(outDir, 'speedups.svg'), renderChart(sections));

for (const section of sections) {
  for (const row of section.rows) {
    const value = speedup(row);
    process.stdout.write(`${section.title} · ${row.name}: ${value === undefined ? 'n/a' : value.toFixed(2) + 'x'} vs ${row.baseline}\n`);
  }
}
process.stdout.write(`report: ${join(outDir, 'report.md')}\nchart: ${join(outDir, 'speedups.svg')}\n`);
