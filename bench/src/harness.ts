import { performance } from 'node:perf_hooks';

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
  readonly minMs: number;
  readonly maxMs: number;
  readonly stdDevMs: number;
  /** `unitsPerRun` per second, from the mean. */
  readonly throughput: number;
  /** Growth of the JS heap plus external memory across the runs (MB); a rough figure. */
  readonly memoryDeltaMb: number;
}

function memoryMb(): number {
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.external + usage.arrayBuffers) / 2 ** 20;
}

/** Times `run` until the budget is spent; the result is checked against `expect` once. */
export function measure(run: () => unknown, options: MeasureOptions): Measurement {
  for (let i = 0; i < options.warmup; i++) run();
  const before = memoryMb();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < options.minIterations || performance.now() - started < options.budgetMs) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
    if (times.length >= 100_000) break;
  }
  return summarise(times, options.unitsPerRun, memoryMb() - before);
}

/** Builds a {@link Measurement} from raw run times (ms). */
export function summarise(times: readonly number[], unitsPerRun: number, memoryDeltaMb: number): Measurement {
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const variance = times.reduce((a, b) => a + (b - mean) ** 2, 0) / times.length;
  return {
    iterations: times.length,
    meanMs: mean,
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    stdDevMs: Math.sqrt(variance),
    throughput: unitsPerRun / (mean / 1000),
    memoryDeltaMb,
  };
}
