// Router and connection-pool bench. Run: `node --import tsx bench/src/router-bench.ts` from the repo
// root (add `--quick` for fewer rounds). Every loop is bounded; servers bind to 127.0.0.1.
// Rows: get_available_deployment (pick among 20 / 1,000, batches of picks), acquire+release,
// routing_concurrent (8 worker threads), connection_pool and connection_pool_concurrent
// (pools vs plain undici vs the openai client's default fetch).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRouter } from '../../packages/core-native/src/router/index.js';
import { createConnectionPools } from '../../packages/openai-wrapper/src/pool/index.js';

const quick = process.argv.includes('--quick');
const wrapperRequire = createRequire(new URL('../../packages/openai-wrapper/package.json', import.meta.url));
const { default: OpenAI } = (await import(pathToFileURL(wrapperRequire.resolve('openai')).href)) as typeof import('openai');
const undici = (await import(pathToFileURL(wrapperRequire.resolve('undici')).href)) as typeof import('undici');

const rows: { row: string; native: number; fallback: number; unit: string }[] = [];
const report = (row: string, native: number, fallback: number, unit: string) => rows.push({ row, native, fallback, unit });

function deployments(count: number) {
  return Array.from({ length: count }, (_, index) => ({ id: `d${index}`, model: 'm', weight: 1 + (index % 7), rpm: 1e9 }));
}

/** Best of 5 rounds: ns per pick, timed over batches of `batch` picks. */
function timePicks(engine: 'native' | 'fallback', count: number, mode: 'pick' | 'lease'): number {
  const router = createRouter({ engine, seed: 1, deployments: deployments(count), strategy: 'simple_shuffle' });
  const batch = quick ? 20_000 : 200_000;
  let best = Infinity;
  for (let round = 0; round < 5; round += 1) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < batch; index += 1) {
      if (mode === 'pick') router.pick('m');
      else {
        const lease = router.acquire('m');
        if (typeof lease !== 'string') lease.succeed();
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / batch);
  }
  router.close();
  return best;
}

for (const count of [20, 1_000]) {
  report(`get_available_deployment (${count} deployments)`, timePicks('native', count, 'pick'), timePicks('fallback', count, 'pick'), 'ns/pick');
  report(`acquire + release (${count} deployments)`, timePicks('native', count, 'lease'), timePicks('fallback', count, 'lease'), 'ns/pair');
}

/** 8 worker threads, each doing `perThread` acquire+release pairs on one router opened by name. */
async function concurrent(engine: 'native' | 'fallback'): Promise<number> {
  const perThread = quick ? 20_000 : 100_000;
  const name = `bench-${engine}-${process.pid}`;
  const start = process.hrtime.bigint();
  const workers = Array.from({ length: 8 }, () => new Worker(new URL('./router-bench-worker.mjs', import.meta.url), { workerData: { engine, name, perThread, deployments: deployments(20) } }));
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
  const elapsed = Number(process.hrtime.bigint() - start);
  await Promise.all(workers.map((worker) => worker.terminate()));
  return elapsed / (8 * perThread);
}
report('routing_concurrent (8 threads, 20 deployments, acquire+release; wall ns per pair incl. startup)', await concurrent('native'), await concurrent('fallback'), 'ns/pair');

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

/** Requests per second for `total` chat calls at `concurrency`. */
async function throughput(client: InstanceType<typeof OpenAI>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      }
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

const total = quick ? 2_000 : 10_000;
const pools = createConnectionPools({ connectionsPerOrigin: 64 });
const agent = new undici.Agent({ connections: 64 });
const plainUndici = ((input: string, init?: object) => undici.fetch(input, { ...init, dispatcher: agent })) as unknown as typeof fetch;
const clients = {
  pools: new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0, fetch: pools.fetch }),
  undici: new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0, fetch: plainUndici }),
  default: new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0 }),
};
for (const [row, concurrency] of [['connection_pool', 1], ['connection_pool_concurrent', 64]] as const) {
  const results: Record<string, number> = {};
  for (const [name, client] of Object.entries(clients)) {
    await throughput(client, 200, concurrency);
    results[name] = Math.max(await throughput(client, total, concurrency), await throughput(client, total, concurrency));
  }
  rows.push({ row: `${row} (c=${concurrency}) pools vs plain undici`, native: results['pools']!, fallback: results['undici']!, unit: 'req/s' });
  rows.push({ row: `${row} (c=${concurrency}) pools vs openai default fetch`, native: results['pools']!, fallback: results['default']!, unit: 'req/s' });
}
await pools.close();
await agent.close();
server.closeAllConnections();
server.close();

const lines = ['| row | tollgate (native / pools) | baseline (TS fallback / other) | unit | ratio |', '|---|---:|---:|---|---:|'];
for (const { row, native, fallback, unit } of rows) {
  const ratio = unit === 'req/s' ? native / fallback : fallback / native;
  lines.push(`| ${row} | ${native.toFixed(unit === 'req/s' ? 0 : 1)} | ${fallback.toFixed(unit === 'req/s' ? 0 : 1)} | ${unit} | ${ratio.toFixed(2)}x |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
