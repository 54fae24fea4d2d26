import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How long and how often to run one cell of a table. */
export interface MeasureOptions {
  /** Runs before timing starts. */
  readonly warmup: number;
  /** At least this many timed runs. */
  readonly minIterations: number;
  /** Stop adding runs once this much time was spent (ms). */
  readonly budgetMs: number;
  /** Bytes (or operations) per run, for throughput. */
  readonly unitsPerRun: number;
}

/** Timings of one cell, in milliseconds. */
export interface Measurement {
  readonly iterations: number;
  readonly meanMs: number;
  /** Median run time (ms): robust to the outliers of a shared machine. */
  readonly medianMs?: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly stdDevMs: number;
  /** `unitsPerRun` per second, from the mean. */
  readonly throughput: number;
  /** Growth of the JS heap plus external memory across the runs (MB); a rough figure. */
  readonly memoryDeltaMb: number;
  /** Growth of the resident set across the runs (MB): catches native (Rust) allocations too. */
  readonly rssDeltaMb?: number;
  /** The run times (ms) the figures come from, so measurements taken in parts can be merged. */
  readonly samplesMs?: readonly number[];
  /** Units per run, as given to {@link summarise}. */
  readonly unitsPerRun?: number;
}

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Runs a full garbage collection, so memory figures start from a settled heap. */
export function collectGarbage(): void {
  collect();
}

/** Heap + external + array buffers, in MB. */
export function memoryMb(): number {
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.external + usage.arrayBuffers) / 2 ** 20;
}

/** Resident set size, in MB. */
export function rssMb(): number {
  return process.memoryUsage.rss() / 2 ** 20;
}

/** Times `run` until the budget is spent. */
export function measure(run: () => unknown, options: MeasureOptions): Measurement {
  for (let i = 0; i < options.warmup; i++) run();
  collect();
  const before = memoryMb();
  const rssBefore = rssMb();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < options.minIterations || performance.now() - started < options.budgetMs) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
    if (times.length >= 100_000) break;
  }
  return summarise(times, options.unitsPerRun, memoryMb() - before, rssMb() - rssBefore);
}

/** Like {@link measure}, for work that returns a promise (each run is awaited before the next). */
export async function measureAsync(run: () => Promise<unknown>, options: MeasureOptions): Promise<Measurement> {
  for (let i = 0; i < options.warmup; i++) await run();
  collect();
  const before = memoryMb();
  const rssBefore = rssMb();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < options.minIterations || performance.now() - started < options.budgetMs) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
    if (times.length >= 100_000) break;
  }
  return summarise(times, options.unitsPerRun, memoryMb() - before, rssMb() - rssBefore);
}

/** Builds a {@link Measurement} from raw run times (ms). */
export function summarise(times: readonly number[], unitsPerRun: number, memoryDeltaMb: number, rssDeltaMb?: number): Measurement {
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const variance = times.reduce((a, b) => a + (b - mean) ** 2, 0) / times.length;
  const sorted = [...times].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    iterations: times.length,
    meanMs: mean,
    medianMs: sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    stdDevMs: Math.sqrt(variance),
    throughput: unitsPerRun / (mean / 1000),
    memoryDeltaMb,
    ...(rssDeltaMb === undefined ? {} : { rssDeltaMb }),
    samplesMs: times,
    unitsPerRun,
  };
}

/**
 * One measurement from several taken in parts (for example in passes that run the contenders in
 * opposite orders): the runs of all of them; memory figures are the largest growth seen.
 */
export function mergeMeasurements(parts: readonly Measurement[]): Measurement {
  const times = parts.flatMap((part) => part.samplesMs ?? []);
  const largest = (values: (number | undefined)[]): number | undefined => {
    const defined = values.filter((value): value is number => value !== undefined);
    return defined.length === 0 ? undefined : Math.max(...defined);
  };
  return summarise(times, parts[0]?.unitsPerRun ?? 1, largest(parts.map((part) => part.memoryDeltaMb)) ?? 0, largest(parts.map((part) => part.rssDeltaMb)));
}
