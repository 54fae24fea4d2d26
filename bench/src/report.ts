import os from 'node:os';

import { getBackend } from '@tollgate/core-native';
import type { Measurement } from './harness.js';
import { meanOf, speedup, type BenchRow, type BenchSection } from './table.js';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(4)) + ' ms';
const ratio = (value: number | undefined) => (value === undefined ? 'n/a' : `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}x`);
const improvement = (value: number | undefined) => (value === undefined ? 'n/a' : `${value >= 1 ? '+' : ''}${((1 - 1 / value) * 100).toFixed(1)}%`);

function cellText(row: BenchRow, contender: string): string {
  const cell = row.cells.get(contender);
  if (cell === undefined) return '—';
  if ('skipped' in cell) return cell.skipped;
  return ms(cell.measurement.meanMs);
}

function summaryTable(sections: readonly BenchSection[]): string[] {
  const lines = ['| Section | Row | Baseline | Baseline time | Ours | Our time | Speedup | Improvement |', '|---|---|---|---|---|---|---|---|'];
  for (const section of sections) {
    for (const row of section.rows) {
      const value = speedup(row);
      lines.push(`| ${section.title} | ${row.name} | ${row.baseline} | ${cellText(row, row.baseline)} | ${row.subject} | ${cellText(row, row.subject)} | **${ratio(value)}** | ${improvement(value)} |`);
    }
  }
  return lines;
}

function comparisonTable(section: BenchSection): string[] {
  const others = section.contenders.filter((c) => c !== section.rows[0]?.subject);
  const header = ['Row', ...section.contenders.map((c) => `${c} (mean)`), ...others.map((c) => `vs ${c}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of section.rows) {
    const times = section.contenders.map((c) => cellText(row, c));
    const ratios = others.map((c) => {
      const value = speedup(row, c);
      if (value !== undefined) return ratio(value);
      const cell = row.cells.get(c);
      return cell !== undefined && 'skipped' in cell ? `> ${ratio((parseFloat(cell.skipped.slice(2)) * 1000) / (meanOf(row.cells.get(row.subject)) ?? 1))}` : 'n/a';
    });
    lines.push(`| ${row.name} | ${times.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  return lines;
}

function detailTable(section: BenchSection): string[] {
  const lines = ['| Row | Contender | Iterations | Mean | Min | Max | Std dev | Throughput | Memory Δ |', '|---|---|---|---|---|---|---|---|---|'];
  for (const row of section.rows) {
    for (const contender of section.contenders) {
      const cell = row.cells.get(contender);
      if (cell === undefined || 'skipped' in cell) continue;
      const m: Measurement = cell.measurement;
      lines.push(`| ${row.name} | ${contender} | ${m.iterations} | ${ms(m.meanMs)} | ${ms(m.minMs)} | ${ms(m.maxMs)} | ${ms(m.stdDevMs)} | ${m.throughput.toFixed(m.throughput >= 100 ? 0 : 2)} ${row.throughputUnit} | ${m.memoryDeltaMb >= 0 ? '+' : ''}${m.memoryDeltaMb.toFixed(2)} MB |`);
    }
  }
  return lines;
}

/** The markdown report, laid out like the Fast LiteLLM report that inspired the project. */
export function renderReport(sections: readonly BenchSection[], info: { quick: boolean; startedAt: Date; seconds: number }): string {
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
    `| CPU | ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} |`,
    `| Memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| Node.js | ${process.version} |`,
    `| Tokenizer backend | ${getBackend()} |`,
    '',
    '## Summary',
    '',
    'Speedup = baseline mean time / our mean time (above 1.0x: ours is faster). All numbers come from one run on this machine.',
    '',
    ...summaryTable(sections),
    '',
  ];
  for (const section of sections) {
    out.push(`## ${section.title}`, '', section.description, '', ...comparisonTable(section), '');
    const notes = section.rows.filter((row) => row.note !== undefined).map((row) => `- ${row.name}: ${row.note}`);
    if (notes.length > 0) out.push(...notes, '');
    out.push('<details><summary>Detailed timings</summary>', '', ...detailTable(section), '', '</details>', '');
  }
  out.push(
    '## Method',
    '',
    '- Every contender runs in the same process on the same inputs, one after another; each cell is warmed up, then timed until its time budget is spent (at least 10 runs; 3 in quick mode).',
    '- Peers on the adversarial runs run once in a worker thread, which is terminated at the time cap; a stopped cell shows the cap and the speedup is then a lower bound.',
    '- gpt-tokenizer keeps a merge cache across calls (its default), which helps it when the same text is counted again; js-tiktoken and tiktoken (wasm) do not cache.',
    '- Memory Δ is the growth of heap plus external memory across a cell; it is rough, as garbage collection runs when it likes.',
    '- Run it yourself: `npm run bench` (full) or `npm run bench -- --quick`.',
    '',
  );
  return out.join('\n');
}
