import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';

// Workers load the TypeScript worker script through tsx's loader, registered inside the worker.
const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api');
const workerScript = new URL('./support/limiter-worker.ts', import.meta.url).href;
const bootstrap = `
  const { register } = await import(${JSON.stringify(pathToFileURL(tsxApi).href)});
  register();
  const { workerData } = await import('node:worker_threads');
  await import(workerData.script);
`;
const nativeLoads = !(loadNativeBinding() instanceof Error);
const backend = process.env['TOLLGATE_BACKEND'];

describe('limiter shared by worker threads', () => {
  it.skipIf(!nativeLoads || backend === 'fallback')('8 worker threads x 10,000 tries admit exactly the limit', async () => {
    const name = `workers-${process.pid}-${Date.now()}`;
    const limit = 7_777;
    const start = new SharedArrayBuffer(4);
    const workers = Array.from(
      { length: 8 },
      () =>
        new Worker(bootstrap, { eval: true, workerData: { name, limit, tries: 10_000, start, script: workerScript } }),
    );
    const messages = (worker: Worker, count: number): Promise<unknown[]> =>
      new Promise((resolve, reject) => {
        const seen: unknown[] = [];
        worker.on('message', (message) => seen.push(message) === count && resolve(seen));
        worker.once('error', reject);
      });
    const finished = workers.map((worker) => messages(worker, 2));
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
    const admitted = (await Promise.all(finished)).map((seen) => seen[1] as number);
    await Promise.all(workers.map((worker) => worker.terminate()));

    expect(admitted.reduce((sum, count) => sum + count, 0)).toBe(limit);
    expect(admitted.filter((count) => count > 0).length).toBeGreaterThan(1);
    const main = createLimiter({ name, requestsPerHour: limit, backend: 'native' });
    expect(main.stats()).toMatchObject({ admitted: limit, refused: 80_000 - limit });
    expect(main.tryAcquire('shared').allowed).toBe(false);
    main.close();
  });

  it.skipIf(backend !== 'fallback')('the fallback keeps limiters per thread (native only shares them)', () => {
    const one = createLimiter({ name: 'per-thread', requestsPerHour: 1 });
    expect(one.backend).toBe('fallback');
  });
});
