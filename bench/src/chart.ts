import { overheadText, ratio } from './format.js';
import { geometricMean, speedup, type BenchSection } from './table.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly seed?: number;
}

/**
 * A horizontal bar chart of every row's speedup on a log scale, with the 1.0x line marked: the
 * seed rows first (each with the seed's own speedup as a grey tick), then the rows beyond it.
 * Overhead rows (raw vs wrapped: below 1.0x by construction) get no bar; they are listed at the
 * bottom with the time they add against their target.
 */
export function renderChart(seed: BenchSection, sections: readonly BenchSection[]): string {
  const groups: [string, Bar[]][] = [
    [`Seed rows (geometric mean ${ratio(geometricMean(seed.rows.map((r) => speedup(r))))}; grey tick = the seed's own speedup)`, seed.rows.map((row) => ({ label: `${row.name} (vs ${row.baseline})`, value: speedup(row) ?? 0, ...(row.seedSpeedup === undefined ? {} : { seed: row.seedSpeedup }) }))],
    ['Beyond the seed', sections.flatMap((section) => section.rows.filter((row) => row.overhead === undefined).map((row) => ({ label: `${row.name} (vs ${row.baseline})`, value: speedup(row) ?? 0 })))],
  ];
  const overheads = sections.flatMap((section) => section.rows.flatMap((row) => (row.overhead === undefined ? [] : [`${row.subject} vs ${row.baseline}, ${row.overhead.per}: ${overheadText(row.overhead)} (ratio ${ratio(speedup(row))})`])));
  const width = 1100;
  const labelWidth = 560;
  const barHeight = 18;
  const gap = 6;
  const groupGap = 34;
  const top = 60;
  const count = groups.reduce((n, [, bars]) => n + bars.length, 0);
  const axisBottom = top + count * (barHeight + gap) + groups.length * groupGap + 40;
  const lineHeight = 18;
  const height = axisBottom + (overheads.length === 0 ? 0 : groupGap + overheads.length * lineHeight + 10);
  const all = groups.flatMap(([, bars]) => bars);
  const maxValue = Math.max(2, ...all.map((b) => Math.max(b.value, b.seed ?? 0)));
  const minValue = Math.min(0.3, ...all.filter((b) => b.value > 0).map((b) => b.value)) / 1.5;
  const logMax = Math.log10(maxValue * 1.5);
  const logMin = Math.log10(minValue);
  const x = (value: number) => labelWidth + ((Math.log10(Math.max(value, minValue)) - logMin) / (logMax - logMin)) * (width - labelWidth - 70);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold">tollgate speedups over each row's baseline (log scale; right of the dashed line = faster)</text>`,
  ];
  for (const tick of [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) {
    if (tick < minValue || tick > maxValue * 1.5) continue;
    parts.push(`<line x1="${x(tick)}" y1="${top - 10}" x2="${x(tick)}" y2="${axisBottom - 30}" stroke="${tick === 1 ? '#333' : '#e3e3e3'}"${tick === 1 ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text x="${x(tick)}" y="${axisBottom - 14}" text-anchor="middle" fill="#555">${tick}x</text>`);
  }
  let y = top;
  for (const [title, bars] of groups) {
    parts.push(`<text x="12" y="${y + 4}" font-size="14" font-weight="bold">${escape(title)}</text>`);
    y += groupGap - 10;
    for (const bar of bars) {
      const color = bar.value >= 1 ? '#2e7d32' : '#c62828';
      parts.push(`<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escape(bar.label)}</text>`);
      parts.push(`<rect x="${x(minValue)}" y="${y}" width="${Math.max(1, x(bar.value) - x(minValue))}" height="${barHeight}" fill="${color}"/>`);
      if (bar.seed !== undefined) parts.push(`<rect x="${x(bar.seed) - 2}" y="${y - 3}" width="4" height="${barHeight + 6}" fill="#8a8a8a"/>`);
      parts.push(`<text x="${Math.max(x(bar.value), bar.seed === undefined ? 0 : x(bar.seed)) + 6}" y="${y + 13}">${bar.value === 0 ? 'n/a' : ratio(bar.value)}</text>`);
      y += barHeight + gap;
    }
    y += 10;
  }
  if (overheads.length > 0) {
    y = axisBottom + 10; // below the axis labels
    parts.push(`<text x="12" y="${y + 4}" font-size="14" font-weight="bold">Overhead rows (time added, not speedups: no bar)</text>`);
    y += groupGap - 10;
    for (const line of overheads) {
      parts.push(`<text x="24" y="${y + 13}">${escape(line)}</text>`);
      y += lineHeight;
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
