// Concurrent rows: N worker threads do the same job at once. The threads start once for the whole
// run; per job they build and warm up their contender and say `ready`, and only then is time
// taken, so start-up is never counted. Per-operation time = wall time of a round / operations of
// all threads in it (the seed's definition).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

import { collectGarbage, rssMb, summarise, type Measurement } from './harness.js';
import type { ConcurrentJob, FromWorker, ToWorker } from './workers/jobs.js';

const WORKER = new URL('./workers/concurrent-worker.mjs', import.meta.url);

/** Rounds and sizes of one concurrent cell. */
export interface ConcurrentOptions {
  /** Operations each thread does per round. */
  readonly opsPerThread: number;
  readonly warmupRounds: number;
  readonly rounds: number;
  /** Use only this many of the pool's threads (default: all). */
  readonly threads?: number;
}

/** Worker threads kept for the whole run. */
export interface WorkerPool {
  readonly threads: number;
  measure(job: ConcurrentJob, options: ConcurrentOptions): Promise<Measurement>;
  close(): Promise<void>;
}

function next(worker: Worker, type: FromWorker['type']): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

async function all(workers: readonly Worker[], message: ToWorker, reply: FromWorker['type']): Promise<void> {
  const replies = workers.map((worker) => next(worker, reply));
  for (const worker of workers) worker.postMessage(message);
  await Promise.all(replies);
}

/** Starts `threads` workers and waits until every one is up. */
export async function startWorkerPool(threads: number): Promise<WorkerPool> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER));
  await Promise.all(workers.map((worker) => next(worker, 'ready')));
  return {
    threads,
    async measure(job, options) {
      const used = workers.slice(0, options.threads ?? threads);
      await all(used, { type: 'setup', job }, 'ready');
      const round = async () => {
        const started = performance.now();
        await all(used, { type: 'run', ops: options.opsPerThread }, 'done');
        return (performance.now() - started) / (options.opsPerThread * used.length);
      };
      for (let i = 0; i < options.warmupRounds; i++) await round();
      collectGarbage();
      const rssBefore = rssMb();
      const times: number[] = [];
      for (let i = 0; i < options.rounds; i++) times.push(await round());
      const rssDelta = rssMb() - rssBefore;
      await all(used, { type: 'stop' }, 'stopped');
      return summarise(times, 1, 0, rssDelta);
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
