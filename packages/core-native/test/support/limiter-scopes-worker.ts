// Run in worker threads by limiter-multi-scope-worker-threads.test.ts: attaches to three named
// limiters and makes `tries` acquires over 1 to 4 random scopes each (keys of every shard, scopes
// in random order), releasing every lease at once; reports per (limiter, key) how many acquires
// it was admitted for. Optionally runs batches on a fourth limiter until it is closed.
import { parentPort, workerData } from 'node:worker_threads';
import { createLimiter, tryAcquireAll, type Limiter, type LimiterScope } from '../../src/limiter/index.js';
import { randomSteps } from './random-steps.js';

const { names, limit, tries, keys, seed, batchName } = workerData as {
  names: string[];
  limit: number;
  tries: number;
  keys: number;
  seed: number;
  batchName: string;
};
const limiters: Limiter[] = [
  createLimiter({ name: names[0], requestsPerHour: limit, backend: 'native' }),
  createLimiter({ name: names[1], requestsPerHour: limit, maxInFlight: 3, backend: 'native' }),
  createLimiter({ name: names[2], limits: [{ type: 'bucket', measure: 'requests', capacity: limit, refillPerSecond: 0.0001 }], backend: 'native' }),
];
const batchLimiter = createLimiter({ name: batchName, requestsPerHour: 1_000_000, backend: 'native' });
const handles = limiters.map((limiter) => Array.from({ length: keys }, (_, index) => limiter.key(`k${index}`)));
const next = randomSteps(seed);
const ready = new Int32Array(workerData.start as SharedArrayBuffer);
parentPort!.postMessage('ready');
Atomics.wait(ready, 0, 0);

const admitted = new Map<string, number>();
let errors = 0;
for (let attempt = 0; attempt < tries; attempt += 1) {
  const count = 1 + Math.floor(next() * 4);
  const scopes: LimiterScope[] = [];
  const seen = new Set<string>();
  while (scopes.length < count) {
    const which = Math.floor(next() * 3);
    const key = Math.floor(next() * keys);
    const id = `${which}:${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    // Half the time a string key, half a resolved handle.
    scopes.push({ limiter: limiters[which]!, key: next() < 0.5 ? `k${key}` : handles[which]![key]! });
  }
  try {
    const decision = tryAcquireAll(scopes);
    if (decision.allowed) {
      for (const id of seen) admitted.set(id, (admitted.get(id) ?? 0) + 1);
      decision.lease!.release();
    }
  } catch {
    errors += 1;
  }
}
let batchErrors = 0;
let batchRounds = 0;
if (workerData.batches === true) {
  const names = Array.from({ length: 200 }, (_, index) => `b${index}`);
  // Until the main thread closes the limiter (a fixed round count could end before the closing
  // on a fast or an idle machine); bounded by a deadline.
  const deadline = Date.now() + 60_000;
  for (; Date.now() < deadline; batchRounds += 1) {
    try {
      batchLimiter.tryAcquireMany(names);
    } catch (error) {
      batchErrors += 1;
      if ((error as { code?: string }).code !== 'ERR_LIMITER_CLOSED') throw error;
      break;
    }
  }
}
parentPort!.postMessage({ admitted: [...admitted], errors, batchErrors, batchRounds });
