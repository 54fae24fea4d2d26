// Worker of the routing_concurrent row of router-bench.ts: acquire+release pairs on a router
// opened by name (shared across threads on the native engine, per thread on the TS fallback).
import { parentPort, workerData } from 'node:worker_threads';
import { createRouter } from '../../packages/core-native/src/router/index.js';

const { engine, name, perThread, deployments } = workerData as {
  engine: 'native' | 'fallback';
  name: string;
  perThread: number;
  deployments: { id: string; model: string; weight: number }[];
};
const router = createRouter({ engine, name, seed: 1, strategy: 'least_busy', deployments });
const start = process.hrtime.bigint();
for (let index = 0; index < perThread; index += 1) {
  const lease = router.acquire('m');
  if (typeof lease !== 'string') lease.succeed();
}
parentPort!.postMessage(Number(process.hrtime.bigint() - start));
