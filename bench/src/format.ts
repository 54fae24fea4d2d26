// Number formats shared by the report and the chart.
import type { BenchRow } from './table.js';

/** A duration given in ms, in the unit that reads best (s, ms, µs or ns). */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(ms >= 100 ? 0 : 2)} ms`;
  if (ms >= 0.001) return `${(ms * 1_000).toFixed(ms >= 0.1 ? 0 : 2)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

/** A speedup, e.g. `2.41x` or `38x`; `n/a` when unknown. */
export function ratio(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  return `${value >= 10 ? value.toFixed(0) : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)}x`;
}

/** The seed's "Improvement": time saved relative to the baseline, e.g. `+58.5%`. */
export function improvement(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value >= 1 ? '+' : ''}${((1 - 1 / value) * 100).toFixed(1)}%`;
}

/** A memory figure in MB with its sign; `—` when not measured. */
export function megabytes(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)} MB`;
}

/** Time a layer adds against its target, e.g. `+20.10 µs per call added, target ≤ 50 µs: pass`. */
export function overheadText(overhead: NonNullable<BenchRow['overhead']>): string {
  const { addedUs, targetUs, per } = overhead;
  return `${addedUs >= 0 ? '+' : ''}${addedUs.toFixed(2)} µs per ${per} added, target ≤ ${targetUs} µs: ${addedUs <= targetUs ? 'pass' : 'FAIL'}`;
}
