// The "Seed rows" summary, laid out like the seed report's Performance Summary: the nine rows,
// baseline, ours, speedup, improvement, the seed's own speedup, then peers and Python columns.
import { duration, improvement, ratio } from './format.js';
import { shortfall, type Diagnostics } from './shortfall.js';
import { geometricMean, meanOf, speedup, type BenchRow, type BenchSection } from './table.js';

/** The seed report's own numbers, for the comparison line. */
const SEED_MEAN = geometricMean([0.53, 1.55, 3.22, 0.44, 0.71, 1.19, 0.57, 1.68, 1.13]);

function others(row: BenchRow, python: readonly string[], wantPython: boolean): string {
  const subject = meanOf(row.cells.get(row.subject));
  const parts: string[] = [];
  for (const [name, cell] of row.cells) {
    if (name === row.subject || name === row.baseline || python.includes(name) !== wantPython) continue;
    if ('skipped' in cell) {
      if (wantPython) parts.push(`${name}: ${cell.skipped}`);
      continue;
    }
    const mean = cell.measurement.meanMs;
    parts.push(`${name}: ${duration(mean)} (ours ${ratio(subject === undefined ? undefined : mean / subject)})`);
  }
  return parts.length === 0 ? '—' : parts.join('<br>');
}

/** Markdown lines of the summary; `python` names the Python contenders (empty when not run). */
export function seedSummary(section: BenchSection, python: readonly string[], pythonNote: string, cores: number, diagnostics: Diagnostics): string[] {
  const lines = [
    `## ${section.title}`,
    '',
    section.description,
    '',
    '| Function | Baseline | Baseline time | tollgate | Our time | Speedup | Improvement | Seed\'s speedup | Other JS/TS contenders and diagnostic columns (ours vs them) | Python, seed\'s packages (ours vs them) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of section.rows) {
    const value = speedup(row);
    const base = meanOf(row.cells.get(row.baseline));
    const ours = meanOf(row.cells.get(row.subject));
    lines.push(
      `| ${row.name} | ${row.baseline} | ${base === undefined ? 'n/a' : duration(base)} | ${row.subject} | ${ours === undefined ? 'n/a' : duration(ours)} | **${ratio(value)}** | ${improvement(value)} | ${ratio(row.seedSpeedup)} | ${others(row, python, false)} | ${python.length === 0 ? 'not run' : others(row, python, true)} |`,
    );
  }
  const mean = geometricMean(section.rows.map((row) => speedup(row)));
  const below = section.rows.filter((row) => (speedup(row) ?? 0) < 1);
  lines.push(
    '',
    `**Geometric mean of the nine speedups: ${ratio(mean)}** (the seed's: ${ratio(SEED_MEAN)}). Rows at or above 1.0x: ${section.rows.length - below.length} of ${section.rows.length} (the seed's: 5 of 9).`,
    '',
    'Times are per run; what a run is, per row:',
    '',
    ...section.rows.map((row) => `- **${row.name}**: ${row.perRun ?? 'see the section'}`),
    '',
    pythonNote,
    '',
  );
  if (below.length > 0) {
    lines.push('### Rows below 1.0x: why, and what would fix them', '');
    for (const row of below) lines.push(`- **${row.name}** (${ratio(speedup(row))}): ${shortfall(row, cores, diagnostics)}`);
    lines.push('');
  }
  const names: Record<string, string> = {
    'check.store.native': 'limiter store call alone, native (per check, string key)',
    'check.store.fallback': 'limiter store call alone, TS fallback (per check, string key)',
    'pick.engine.native': 'router engine pick alone, native (per pick)',
    'pick.engine.fallback': 'router engine pick alone, TS fallback (per pick)',
    crossing: 'a JS→Rust call that does no work (`parallelism()`)',
  };
  const measured = Object.entries(diagnostics).filter(([key]) => key in names);
  if (measured.length > 0) {
    lines.push('Measured breakdowns (single thread, same run), used by the notes above:', '');
    lines.push(...measured.map(([key, value]) => `- ${names[key]}: ${duration(value)}`), '');
  }
  const notes = section.rows.filter((row) => row.note !== undefined);
  if (notes.length > 0) lines.push(...notes.map((row) => `- ${row.name}: ${row.note}`), '');
  return lines;
}
