/** What every suite gets: the mode, the machine, and a way to say what it is doing. */
export interface BenchContext {
  /** Brief runs, for CI: every benchmark runs, the numbers are rough. */
  readonly quick: boolean;
  readonly cores: number;
  progress(step: string): void;
}
