// One process of the example: starts worker threads that each try the shared Redis limit, then
// prints what each thread was admitted and the process total.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const [port, name, limit, threads, label] = process.argv.slice(2) as [string, string, string, string, string];
const thread = new URL('./thread.ts', import.meta.url).href;
// Worker threads load TypeScript through tsx's loader, registered inside each worker.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
const bootstrap = `const { register } = await import(${JSON.stringify(tsx)}); register();
const { workerData } = await import('node:worker_threads'); await import(workerData.thread);`;
const counts = await Promise.all(
  Array.from({ length: Number(threads) }, (_, index) =>
    new Promise<number>((resolve, reject) => {
      const worker = new Worker(bootstrap, { eval: true, workerData: { port: Number(port), name, limit: Number(limit), thread } });
      worker.once('message', resolve);
      worker.once('error', reject);
      void index;
    }),
  ),
);
counts.forEach((count, index) => process.stdout.write(`${label} thread ${index + 1}: admitted ${count}\n`));
process.stdout.write(`${label} total ${counts.reduce((sum, count) => sum + count, 0)}\n`);
