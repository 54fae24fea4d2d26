import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { nativePath } from '../src/native/binding.js';
import { nativeRouterEngine } from '../src/router/native-engine.js';
import { createRouter } from '../src/router/index.js';
import { uniqueName } from './router-fixtures.js';

// Each worker opens the router by name through the binding itself (workers cannot load the TS
// sources), then races to take slots on a deployment that admits at most 100 calls in flight.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const binding = require(workerData.path);
const router = binding.routerOpen(workerData.name, new Float64Array(workerData.config));
const group = binding.routerGroup(router, 'm');
let admitted = 0;
for (let i = 0; i < workerData.tries; i += 1) {
  if (binding.routerAcquire(router, group, Date.now(), 0, 0, false, null) >= 0) admitted += 1;
}
parentPort.postMessage(admitted);
`;

// Each worker joins the router by name and goes through the packed calls (numbers in its own
// I/O array): acquire round-robin over the groups, end most leases at once and keep every 53rd.
const STRIPED_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const binding = require(workerData.path);
const io = new Float64Array(64);
binding.routerUseIo(io);
const router = binding.routerOpen(workerData.name, new Float64Array(workerData.config));
const groups = workerData.models.map((model) => binding.routerGroup(router, model));
const held = [];
let refused = 0;
for (let i = 0; i < workerData.tries; i += 1) {
  io.set([router, groups[(i + workerData.index) % groups.length], 1000, 10, 0, 0, 0]);
  const lease = binding.routerAcquirePacked();
  if (lease < 0) { refused += 1; continue; }
  if (i % 53 === 0) { held.push(lease); continue; }
  io.set([router, lease, 1001, 0, 1, 0, 1, -1, 0]);
  if (binding.routerReleasePacked() !== 0) throw new Error('a live lease did not end');
}
parentPort.postMessage({ held, refused });
`;

describe.skipIf(nativeRouterEngine() instanceof Error)('one router shared by worker threads (native)', () => {
  it('8 threads on 5 model groups: in-flight counts stay exact, and leases of every group end from the main thread', async () => {
    const name = uniqueName('striped');
    const models = ['a', 'b', 'c', 'd', 'e'];
    const clock = { now: () => 1000 };
    const deployments = models.flatMap((model) => [0, 1, 2, 3].map((index) => ({ id: `${model}${index}`, model, weight: index + 1, maxInFlight: 4 })));
    const router = createRouter({ engine: 'native', name, seed: 3, clock: clock.now, deployments });
    const config = [0, 3, 5000, 3, 60000, 32, 0.1, 0, 600000];
    const workers = Array.from({ length: 8 }, (_, index) =>
      new Worker(STRIPED_WORKER, { eval: true, workerData: { path: nativePath(), name, config, models, index, tries: 3_000 } }),
    );
    const results = await Promise.all(
      workers.map((worker) => new Promise<{ held: number[]; refused: number }>((resolve, reject) => worker.once('message', resolve).once('error', reject))),
    );
    await Promise.all(workers.map((worker) => worker.terminate()));

    const held = results.flatMap((result) => result.held);
    const snapshot = router.snapshot();
    expect(snapshot.reduce((sum, row) => sum + row.inFlight, 0)).toBe(held.length);
    expect(Math.max(...snapshot.map((row) => row.inFlight))).toBeLessThanOrEqual(4);
    expect(snapshot.reduce((sum, row) => sum + row.calls, 0)).toBe(8 * 3_000 - results.reduce((sum, result) => sum + result.refused, 0));
    // Leases taken on other threads, in every group, end here exactly once.
    // Deployment handles follow registration order: 4 per model.
    expect(new Set(held.map((lease) => models[Math.floor((lease % 2 ** 20) / 4)])).size).toBe(5);
    expect(held.length).toBeLessThanOrEqual(5 * 4 * 4);
    expect(results.some((result) => result.refused > 0)).toBe(true);
    const handle = (router as unknown as { handle: number }).handle;
    for (const lease of held) expect(router.engine.release(handle, lease, 1002, 6, 0, 0, 0, -1, 0)).toBe(0);
    for (const lease of held) expect(router.engine.release(handle, lease, 1002, 6, 0, 0, 0, -1, 0)).toBe(-1);
    expect(router.snapshot().map((row) => row.inFlight)).toEqual(new Array(20).fill(0));
    router.close();
  });

  it('8 threads x 500 acquires admit exactly maxInFlight, and the main thread sees their leases', async () => {
    const name = uniqueName('threads');
    const router = createRouter({ engine: 'native', name, seed: 1, deployments: [{ id: 'only', model: 'm', maxInFlight: 100 }] });
    const config = [0, 1, 5000, 3, 60000, 32, 0.1, 0, 600000];
    const workers = Array.from({ length: 8 }, () => new Worker(WORKER, { eval: true, workerData: { path: nativePath(), name, config, tries: 500 } }));
    const admitted = await Promise.all(
      workers.map((worker) => new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject))),
    );
    await Promise.all(workers.map((worker) => worker.terminate()));

    expect(admitted.reduce((sum, count) => sum + count, 0)).toBe(100);
    expect(router.snapshot()[0]).toMatchObject({ inFlight: 100, calls: 100 });
    router.close();
  });
});
