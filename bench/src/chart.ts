import { speedup, type BenchSection } from './table.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart of every row's speedup on a log scale, with the 1.0x line marked. */
export function renderChart(sections: readonly BenchSection[]): string {
  const bars = sections.flatMap((section) =>
    section.rows.map((row) => ({ label: `${row.name} (vs ${row.baseline})`, value: speedup(row) ?? 0 })),
  );
  const width = 900;
  const labelWidth = 380;
  const barHeight = 22;
  const top = 50;
  const height = top + bars.length * (barHeight + 6) + 40;
  const maxValue = Math.max(2, ...bars.map((b) => b.value));
  const logMax = Math.log10(maxValue * 1.2);
  const logMin = Math.log10(0.1);
  const x = (value: number) => labelWidth + ((Math.log10(Math.max(value, 0.1)) - logMin) / (logMax - logMin)) * (width - labelWidth - 70);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">tollgate speedups (log scale; right of the line = faster than the baseline)</text>`,
    `<line x1="${x(1)}" y1="${top - 8}" x2="${x(1)}" y2="${height - 30}" stroke="#444" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${height - 14}" text-anchor="middle">1.0x</text>`,
  ];
  bars.forEach((bar, i) => {
    const y = top + i * (barHeight + 6);
    const color = bar.value >= 1 ? '#2e7d32' : '#c62828';
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${x(0.1)}" y="${y}" width="${Math.max(1, x(bar.value) - x(0.1))}" height="${barHeight}" fill="${color}"/>`);
    parts.push(`<text x="${x(bar.value) + 6}" y="${y + 15}">${bar.value === 0 ? 'n/a' : `${bar.value.toFixed(bar.value >= 10 ? 0 : 2)}x`}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
