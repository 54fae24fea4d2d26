import type { WorkerPool } from './concurrent.js';

/** What every suite gets: the mode, the machine, and a way to say what it is doing. */
export interface BenchContext {
  /** Brief runs, for CI: every benchmark runs, the numbers are rough. */
  readonly quick: boolean;
  readonly cores: number;
  /** The 8 worker threads of the concurrent rows, started once for the whole run. */
  readonly workers: WorkerPool;
  progress(step: string): void;
}
