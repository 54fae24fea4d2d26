// One thread of the concurrent rows. It lives for the whole bench run (start-up is paid once):
// per job it builds the contender, warms it up and says `ready`, runs batches of operations on
// request (`run`), and frees the contender on `stop`. Every loop is bounded by `ops`.
import { parentPort } from 'node:worker_threads';

import type { ConcurrentJob, FromWorker, ToWorker } from './jobs.js';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

interface Runner {
  run(ops: number): Promise<void> | void;
  close(): Promise<void> | void;
}

async function build(job: ConcurrentJob): Promise<Runner> {
  let next = 0;
  if (job.kind === 'limiter') {
    const { limiterRunner } = await import('../contenders/limiters.js');
    const limiter = limiterRunner(job.contender, job.keys, job.name);
    const run = (ops: number) => {
      limiter.steps(next, ops);
      next += ops;
    };
    if (!limiter.async) return { run, close: () => limiter.close() };
    return { run: async (ops) => { for (let i = 0; i < ops; i++) await limiter.step(next++); }, close: () => limiter.close() };
  }
  if (job.kind === 'router') {
    const { routerRunner } = await import('../contenders/routers.js');
    const router = routerRunner(job.engine, job.deployments, job.models, { name: job.name, strategy: 'simple_shuffle' });
    return { run: (ops) => { for (let i = 0; i < ops; i++) router.lease(next++); }, close: () => router.close() };
  }
  const { httpRunner } = await import('../contenders/http-clients.js');
  const client = httpRunner(job.contender, job.urls, job.connections);
  return { run: async (ops) => { for (let i = 0; i < ops; i++) await client.step(next++); }, close: () => client.close() };
}

let runner: Runner | undefined;
port.on('message', async (message: ToWorker) => {
  if (message.type === 'setup') {
    runner = await build(message.job);
    const warm = message.job.kind === 'pool' ? 50 : message.job.kind === 'limiter' && message.job.contender === 'bottleneck' ? 20 : 2_000;
    await runner.run(warm);
    post({ type: 'ready' });
  } else if (message.type === 'run') {
    await runner!.run(message.ops);
    post({ type: 'done', ops: message.ops });
  } else {
    await runner!.close();
    runner = undefined;
    post({ type: 'stopped' });
  }
});
post({ type: 'ready' });
