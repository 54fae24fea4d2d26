import os from 'node:os';

import { getBackend } from '@tollgate/core-native';
import { duration, improvement, megabytes, overheadText, ratio } from './format.js';
import type { Measurement } from './harness.js';
import { seedSummary } from './seed-summary.js';
import { meanOf, speedup, type BenchRow, type BenchSection } from './table.js';
import { targetLines } from './targets.js';

/** What the report says about the run besides the sections. */
export interface ReportInfo {
  readonly quick: boolean;
  readonly startedAt: Date;
  readonly seconds: number;
  /** The seed rows, rendered first like the seed's Performance Summary. */
  readonly seed: BenchSection;
  /** Python contenders in the seed rows (empty when Python was not run). */
  readonly python: readonly string[];
  /** Says whether and how the Python columns were run. */
  readonly pythonNote: string;
  /** Lines of the configuration section. */
  readonly configuration: readonly string[];
  /** Measured breakdowns for the shortfall notes (ms per operation). */
  readonly diagnostics: Readonly<Record<string, number>>;
}

function cellText(row: BenchRow, contender: string): string {
  const cell = row.cells.get(contender);
  if (cell === undefined) return '—';
  if ('skipped' in cell) return cell.skipped;
  return duration(cell.measurement.meanMs);
}

function summaryTable(sections: readonly BenchSection[]): string[] {
  const lines = ['| Section | Row | Baseline | Baseline time | Ours | Our time | Speedup | Improvement |', '|---|---|---|---|---|---|---|---|'];
  for (const section of sections) {
    for (const row of section.rows) {
      const value = speedup(row);
      // Overhead rows: the time added against the target, not a time saved.
      const gain = row.overhead === undefined ? improvement(value) : `${overheadText(row.overhead)} (not a speedup)`;
      lines.push(`| ${section.title} | ${row.name} | ${row.baseline} | ${cellText(row, row.baseline)} | ${row.subject} | ${cellText(row, row.subject)} | **${ratio(value)}** | ${gain} |`);
    }
  }
  return lines;
}

function comparisonTable(section: BenchSection): string[] {
  const subject = section.rows[0]?.subject;
  const others = section.contenders.filter((c) => c !== subject);
  const header = ['Row', ...section.contenders.map((c) => `${c} (mean)`), ...others.map((c) => `vs ${c}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of section.rows) {
    const times = section.contenders.map((c) => cellText(row, c));
    const ratios = others.map((c) => {
      const value = speedup(row, c);
      if (value !== undefined) return ratio(value);
      const cell = row.cells.get(c);
      const stopped = cell !== undefined && 'skipped' in cell ? /^> ([\d.]+) s/.exec(cell.skipped) : null;
      return stopped ? `> ${ratio((parseFloat(stopped[1]!) * 1000) / (meanOf(row.cells.get(row.subject)) ?? 1))}` : 'n/a';
    });
    lines.push(`| ${row.name} | ${times.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  return lines;
}

function detailTable(section: BenchSection): string[] {
  const lines = ['| Row | Contender | Iterations | Mean | Median | Min | Max | Std dev | Throughput | Heap Δ | RSS Δ |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const row of section.rows) {
    for (const contender of section.contenders) {
      const cell = row.cells.get(contender);
      if (cell === undefined || 'skipped' in cell) continue;
      const m: Measurement = cell.measurement;
      const throughput = `${m.throughput.toFixed(m.throughput >= 100 ? 0 : 2)} ${row.throughputUnit}`;
      lines.push(`| ${row.name} | ${contender} | ${m.iterations} | ${duration(m.meanMs)} | ${m.medianMs === undefined ? '—' : duration(m.medianMs)} | ${duration(m.minMs)} | ${duration(m.maxMs)} | ${duration(m.stdDevMs)} | ${throughput} | ${megabytes(m.memoryDeltaMb)} | ${megabytes(m.rssDeltaMb)} |`);
    }
  }
  return lines;
}

function details(section: BenchSection): string[] {
  return ['<details><summary>Detailed timings and memory</summary>', '', ...detailTable(section), '', '</details>', ''];
}

/** The markdown report, laid out like the Fast LiteLLM report that inspired the project. */
export function renderReport(sections: readonly BenchSection[], info: ReportInfo): string {
  const cpus = os.cpus();
  const out = [
    '# tollgate benchmark report',
    '',
    `Generated: ${info.startedAt.toISOString()} in ${info.seconds.toFixed(0)} s${info.quick ? ' — **quick mode: rough numbers, for CI only**' : ''}`,
    '',
    '## System information',
    '',
    '| Property | Value |',
    '|---|---|',
    `| Platform | ${os.platform()} ${os.release()} (${os.arch()}) |`,
    `| CPU | ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} |`,
    `| Memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| Load average at the end (1 / 5 / 15 min) | ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} |`,
    `| Node.js | ${process.version} |`,
    `| Tokenizer backend | ${getBackend()} |`,
    '',
    ...seedSummary(info.seed, info.python, info.pythonNote, cpus.length, info.diagnostics),
    ...targetLines(info.seed, sections, info.diagnostics, cpus.length),
    '### Seed rows in detail',
    '',
    'Every contender of every seed row: iterations, mean, min, max, standard deviation and throughput of a run (concurrent rows: of one operation), and memory growth across the cell.',
    '',
    ...detailTable(info.seed),
    '',
    '## Rows beyond the seed: summary',
    '',
    'Speedup = baseline mean time / our mean time (above 1.0x: ours is faster). Overhead rows (wrapOpenAI against the raw client) are not speedups: their ratio is below 1.0x by construction, and the last column gives the time added against the issue\'s target instead. All numbers come from the same run on this machine.',
    '',
    ...summaryTable(sections),
    '',
  ];
  for (const section of sections) {
    out.push(`## ${section.title}`, '', section.description, '', ...comparisonTable(section), '');
    const notes = section.rows.filter((row) => row.note !== undefined).map((row) => `- ${row.name}: ${row.note}`);
    if (notes.length > 0) out.push(...notes, '');
    out.push(...details(section));
  }
  out.push('## Configuration', '', ...info.configuration.map((line) => `- ${line}`), '');
  out.push(
    '## Method',
    '',
    '- Every contender runs in the same process on the same inputs, one after another; each cell is warmed up (3 runs for the seed rows), then timed until its time budget is spent (at least 20 runs; 3 in quick mode). Bottleneck goes through a timer per job, so it gets few runs.',
    '- Concurrent rows: 8 worker threads started once for the whole run; per cell each thread builds and warms up its contender and reports ready, and only then does the clock start, so thread start-up is never counted. Per-operation time = wall time of a round / operations of all threads in the round.',
    '- The TS fallback of the limiter and the router cannot share state across threads, so in the concurrent rows each of its threads has a private limiter/router; native shares one. The column `tollgate native, private per thread` measures native doing the fallback\'s (private) work, to show what sharing costs.',
    '- There is no TS fallback for the connection pools: their baseline is Node\'s global `fetch`, which the openai SDK uses by default; plain undici (its `fetch` on an Agent) is a peer column. Requests go to local servers on 127.0.0.1.',
    '- Peers on the adversarial runs run once in a worker thread, which is terminated at the time cap; a stopped cell shows the cap and the speedup is then a lower bound.',
    '- gpt-tokenizer keeps a merge cache across calls (its default), which helps it when the same text is counted again; js-tiktoken and tiktoken (wasm) do not cache.',
    '- Heap Δ is the growth of heap plus external memory across a cell, after a full garbage collection before it; RSS Δ catches native allocations too. Both are rough.',
    '- Wrapper overhead: the raw and the wrapped openai client on an in-process canned `fetch` (no socket), in alternating rounds (memory: one more round each after a full GC); the added time is the difference of the fastest rounds (per chunk: less the per-call overhead, over the chunks).',
    '- LangChain: ChatOpenAI runs offline (its vocabulary given up front, the global `fetch` refusing every request during the suite); accuracy is against js-tiktoken in the mock OpenAI server counting the messages as sent.',
    '- The machine these numbers come from is shared with other work and noisy (see the load average above); rows near 1.0x can move by tens of percent between runs.',
    '- Run it yourself: `npm run bench` (full) or `npm run bench -- --quick`; add `--python /path/to/venv/bin/python` (or set `TOLLGATE_BENCH_PYTHON`) for the Python columns.',
    '',
  );
  return out.join('\n');
}
