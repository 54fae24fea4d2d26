// A progress bar on stderr: redrawn in place on a terminal, a few plain lines otherwise.
import { performance } from 'node:perf_hooks';

/** What the progress bar writes to: a stream, and whether it is a terminal. */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const REDRAW_INTERVAL_MS = 80;
const PLAIN_STEPS = 4;

/**
 * Shows how many of `total` requests are done. On a terminal the bar is redrawn in place at most
 * every 80 ms and erased by {@link ProgressBar.finish}; elsewhere (a pipe, a file, a test) it
 * prints one plain line at each quarter, without control characters.
 */
export class ProgressBar {
  readonly #output: ProgressOutput;
  readonly #total: number;
  readonly #interactive: boolean;
  readonly #startedAt = performance.now();
  #done = 0;
  #failed = 0;
  #inFlight = 0;
  #lastDrawAt = -Infinity;
  #plainStepsShown = 0;

  constructor(output: ProgressOutput, total: number) {
    this.#output = output;
    this.#total = total;
    this.#interactive = output.isTTY === true;
  }

  /** A request was sent. */
  started(): void {
    this.#inFlight += 1;
    this.#draw(false);
  }

  /** A request ended; `ok` is false when it failed. */
  ended(ok: boolean): void {
    this.#inFlight -= 1;
    this.#done += 1;
    if (!ok) this.#failed += 1;
    this.#draw(this.#done === this.#total);
  }

  /** Erases the bar on a terminal; does nothing elsewhere. */
  finish(): void {
    if (this.#interactive) this.#output.write('\r\x1b[K');
  }

  #draw(force: boolean): void {
    const now = performance.now();
    const seconds = (now - this.#startedAt) / 1000;
    const rate = seconds > 0 ? this.#done / seconds : 0;
    const percent = this.#total === 0 ? 100 : Math.floor((this.#done / this.#total) * 100);
    const failures = this.#failed > 0 ? `, ${this.#failed} failed` : '';
    if (!this.#interactive) {
      const step = Math.floor((this.#done / Math.max(1, this.#total)) * PLAIN_STEPS);
      if (step <= this.#plainStepsShown) return;
      this.#plainStepsShown = step;
      this.#output.write(
        `progress: ${this.#done}/${this.#total} requests (${percent}%) in ${seconds.toFixed(1)} s${failures}\n`,
      );
      return;
    }
    if (!force && now - this.#lastDrawAt < REDRAW_INTERVAL_MS) return;
    this.#lastDrawAt = now;
    const width = Math.max(10, Math.min(40, (this.#output.columns ?? 80) - 60));
    const filled = Math.round((this.#done / Math.max(1, this.#total)) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const status = `${this.#done}/${this.#total} ${String(percent).padStart(3)}%  ${this.#inFlight} in flight  ${rate.toFixed(0)} req/s${failures}`;
    this.#output.write(`\r\x1b[K${bar} ${status}`);
  }
}
