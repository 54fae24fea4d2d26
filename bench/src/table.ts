import type { Measurement } from './harness.js';

/** One contender's result in a row: a measurement, or why there is none. */
export type Cell = { readonly measurement: Measurement } | { readonly skipped: string };

/** A row of a benchmark table: the same work done by every contender. */
export interface BenchRow {
  readonly name: string;
  /** What a unit of throughput is, e.g. `MB/s` or `ops/s`. */
  readonly throughputUnit: string;
  /** Contender name -> result. The first contender is ours (native). */
  readonly cells: ReadonlyMap<string, Cell>;
  /** The contender the speedup is computed against. */
  readonly baseline: string;
  /** Our contender. */
  readonly subject: string;
  /** A note printed under the table (e.g. why a row falls short). */
  readonly note?: string;
  /** Rows of the seed summary: the seed's own speedup for this row, for comparison. */
  readonly seedSpeedup?: number;
  /** What one timed run of this row does, e.g. `15 counts (3 texts × 5 models)`. */
  readonly perRun?: string;
  /**
   * Set on rows that measure time a layer adds (raw vs wrapped), not a speedup: their ratio is
   * below 1.0x by construction, so the chart shows the added time against the target instead.
   */
  readonly overhead?: { readonly addedUs: number; readonly targetUs: number; readonly per: string };
}

/** What a suite hands back: its rows of the seed summary, and its own sections. */
export interface SuiteResult {
  readonly seedRows: readonly BenchRow[];
  readonly sections: readonly BenchSection[];
  /** Measured breakdowns (ms per operation) the shortfall notes use, by name. */
  readonly diagnostics?: Readonly<Record<string, number>>;
}

/** A titled group of rows, with the contenders in column order. */
export interface BenchSection {
  readonly title: string;
  readonly description: string;
  readonly contenders: readonly string[];
  readonly rows: readonly BenchRow[];
}

export function meanOf(cell: Cell | undefined): number | undefined {
  return cell !== undefined && 'measurement' in cell ? cell.measurement.meanMs : undefined;
}

export function medianOf(cell: Cell | undefined): number | undefined {
  return cell !== undefined && 'measurement' in cell ? cell.measurement.medianMs : undefined;
}

/** `against`'s mean / `subject`'s mean (ours by default): above 1 means `subject` is faster. */
export function speedup(row: BenchRow, against = row.baseline, subjectColumn = row.subject): number | undefined {
  const subject = meanOf(row.cells.get(subjectColumn));
  const other = meanOf(row.cells.get(against));
  return subject === undefined || other === undefined ? undefined : other / subject;
}

/** Geometric mean of the defined values; `undefined` when there are none. */
export function geometricMean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && v > 0);
  if (defined.length === 0) return undefined;
  return Math.exp(defined.reduce((sum, v) => sum + Math.log(v), 0) / defined.length);
}
