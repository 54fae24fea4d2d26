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

describe.skipIf(nativeRouterEngine() instanceof Error)('one router shared by worker threads (native)', () => {
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
