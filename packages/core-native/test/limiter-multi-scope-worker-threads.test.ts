import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';

const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api');
const workerScript = new URL('./support/limiter-scopes-worker.ts', import.meta.url).href;
const bootstrap = `
  const { register } = await import(${JSON.stringify(pathToFileURL(tsxApi).href)});
  register();
  const { workerData } = await import('node:worker_threads');
  await import(workerData.script);
`;
const nativeLoads = !(loadNativeBinding() instanceof Error);
const backend = process.env['TOLLGATE_BACKEND'];

interface Report {
  admitted: [string, number][];
  errors: number;
  batchErrors: number;
  batchRounds: number;
}

describe('multi-scope acquires from 8 worker threads over keys of every shard', () => {
  it.skipIf(!nativeLoads || backend === 'fallback')('never deadlock, and each key admits exactly what its limits allow', { timeout: 120_000 }, async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const names = [`scopes-a-${tag}`, `scopes-b-${tag}`, `scopes-c-${tag}`];
    const batchName = `scopes-batch-${tag}`;
    const limit = 150;
    const keys = 48;
    const start = new SharedArrayBuffer(4);
    const workers = Array.from(
      { length: 8 },
      (_, index) =>
        new Worker(bootstrap, {
          eval: true,
          workerData: { names, batchName, limit, keys, tries: 6000, seed: 1000 + index, start, script: workerScript, batches: index < 4 },
        }),
    );
    const reports = workers.map(
      (worker) =>
        new Promise<Report>((resolve, reject) => {
          worker.on('message', (message) => message !== 'ready' && resolve(message as Report));
          worker.once('error', reject);
        }),
    );
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
    // Close the batch limiter while workers run batches on it.
    const batchLimiter = createLimiter({ name: batchName, requestsPerHour: 1_000_000, backend: 'native' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    batchLimiter.close();
    const done = await Promise.race([Promise.all(reports), new Promise<undefined>((resolve) => void setTimeout(() => resolve(undefined), 100_000).unref())]);
    await Promise.all(workers.map((worker) => worker.terminate()));
    expect(done, 'workers finished (no deadlock)').toBeDefined();

    const total = new Map<string, number>();
    // The workers running batches all stopped on the closing, with ERR_LIMITER_CLOSED.
    expect(done!.slice(0, 4).map((report) => report.batchErrors)).toEqual([1, 1, 1, 1]);
    for (const report of done!) {
      expect(report.errors).toBe(0);
      for (const [id, count] of report.admitted) total.set(id, (total.get(id) ?? 0) + count);
    }
    const limiters = [
      createLimiter({ name: names[0], requestsPerHour: limit, backend: 'native' }),
      createLimiter({ name: names[1], requestsPerHour: limit, maxInFlight: 3, backend: 'native' }),
      createLimiter({ name: names[2], limits: [{ type: 'bucket', measure: 'requests', capacity: limit, refillPerSecond: 0.0001 }], backend: 'native' }),
    ];
    let saturated = 0;
    limiters.forEach((limiter, which) => {
      for (let key = 0; key < keys; key += 1) {
        const taken = total.get(`${which}:${key}`) ?? 0;
        // Cost 0 reads the key's state without taking anything.
        const probe = limiter.tryAcquire(`k${key}`, { requests: 0 });
        probe.lease?.release();
        const first = limiter.labels[0]!;
        // Counted by the limiter = admitted as the workers saw it; never above the limit.
        expect({ key: `${which}:${key}`, counted: limit - probe.remaining[first]! }).toEqual({ key: `${which}:${key}`, counted: taken });
        if (which === 1) expect(probe.remaining['inFlight']).toBe(3);
        if (taken === limit) saturated += 1;
      }
    });
    expect(saturated).toBeGreaterThan(0);
    expect(limiters[0]!.stats().leases + limiters[1]!.stats().leases).toBe(0);
    for (const limiter of limiters) limiter.close();
  });
});
