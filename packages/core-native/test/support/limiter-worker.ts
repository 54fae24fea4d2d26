// Run in a worker thread by limiter-worker-threads.test.ts: attaches to the named limiter and
// tries it `tries` times, then reports how many were admitted.
import { parentPort, workerData } from 'node:worker_threads';
import { createLimiter } from '../../src/limiter/index.js';

const { name, limit, tries } = workerData as { name: string; limit: number; tries: number };
const limiter = createLimiter({ name, requestsPerHour: limit, backend: 'native' });
const key = limiter.key('shared');
const ready = new Int32Array(workerData.start as SharedArrayBuffer);
parentPort!.postMessage('ready');
Atomics.wait(ready, 0, 0);
let admitted = 0;
for (let attempt = 0; attempt < tries; attempt += 1) if (limiter.tryAcquire(key).allowed) admitted += 1;
parentPort!.postMessage(admitted);
