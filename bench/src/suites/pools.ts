// Connection pools: the seed's connection_pool rows, as dispatching a request (a small chat
// completion POST, read to the end) to 10 local endpoints, through our pools' fetch, undici's
// fetch on a plain Agent, and Node's global fetch (the openai SDK's default). There is no TS
// fallback for the pools, so the baseline is the SDK default.
import OpenAI, { type ClientOptions } from 'openai';
import { Agent } from 'undici';

import { createConnectionPools } from '../../../packages/openai-wrapper/src/pool/index.js';
import type { BenchContext } from '../context.js';
import { HTTP_LABELS, httpRunner } from '../contenders/http-clients.js';
import { measureAsync, type MeasureOptions } from '../harness.js';
import { startServers } from '../local-servers.js';
import type { BenchRow, Cell, SuiteResult } from '../table.js';
import type { PoolContender } from '../workers/jobs.js';
import type { SeedWorkload } from '../workload.js';

const ALL: readonly PoolContender[] = ['pools', 'default', 'undici', 'pools-global'];
const PLAIN: readonly PoolContender[] = ['pools', 'default', 'undici'];
const CONNECTIONS = 64;

function runs(context: BenchContext, unitsPerRun: number): MeasureOptions {
  return { warmup: 3, minIterations: context.quick ? 3 : 20, budgetMs: context.quick ? 100 : 1_500, unitsPerRun };
}

/** The pool rows: two of the seed's nine, and a section of rows beyond it. */
export async function poolSuite(context: BenchContext, workload: SeedWorkload): Promise<SuiteResult> {
  const servers = await startServers(workload.endpoints);
  const { urls } = servers;
  try {
    // Warm the servers up first, so the contender measured first does not meet cold servers.
    context.progress('connection pools: warming up the local servers');
    const warm = httpRunner('undici', urls, CONNECTIONS);
    for (let i = 0; i < (context.quick ? 300 : 3_000); i++) await warm.step(i);
    await warm.close();
    const single = new Map<string, Cell>();
    for (const contender of ALL) {
      context.progress(`connection_pool: ${HTTP_LABELS[contender]}`);
      const client = httpRunner(contender, urls, CONNECTIONS);
      for (let i = 0; i < urls.length; i++) await client.step(i);
      const measurement = await measureAsync(async () => {
        for (let i = 0; i < urls.length; i++) await client.step(i);
      }, runs(context, urls.length));
      await client.close();
      single.set(HTTP_LABELS[contender], { measurement });
    }
    const concurrent = new Map<string, Cell>();
    for (const contender of ALL) {
      context.progress(`connection_pool_concurrent: ${HTTP_LABELS[contender]}`);
      const measurement = await context.workers.measure(
        { kind: 'pool', contender, urls, connections: CONNECTIONS },
        { opsPerThread: context.quick ? 50 : 500, warmupRounds: context.quick ? 1 : 2, rounds: context.quick ? 2 : 6 },
      );
      concurrent.set(HTTP_LABELS[contender], { measurement });
    }
    const labels = { baseline: HTTP_LABELS.default, subject: HTTP_LABELS.pools };
    const seedRows: BenchRow[] = [
      { name: 'connection_pool', throughputUnit: 'requests/s', cells: single, ...labels, seedSpeedup: 3.22, perRun: '10 requests, one to each endpoint, one at a time' },
      { name: 'connection_pool_concurrent', throughputUnit: 'requests/s', cells: concurrent, ...labels, seedSpeedup: 1.19, perRun: 'one request; 8 threads, each sending one at a time, round-robin over the 10 endpoints' },
    ];

    context.progress('pools beyond the seed');
    const dispatch = new Map<string, Cell>();
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    for (const [label, make] of [
      [HTTP_LABELS.pools, () => createConnectionPools({ connectionsPerOrigin: CONNECTIONS })],
      [HTTP_LABELS.undici, () => new Agent({ connections: CONNECTIONS })],
    ] as const) {
      const dispatcher = make();
      const send = async (i: number) => {
        const url = new URL(urls[i % urls.length]!);
        const response = await dispatcher.request({ origin: url.origin, path: url.pathname, method: 'POST', body, headers: { 'content-type': 'application/json' } });
        await response.body.text();
      };
      const measurement = await measureAsync(async () => {
        for (let i = 0; i < urls.length; i++) await send(i);
      }, runs(context, urls.length));
      await dispatcher.close();
      dispatch.set(label, { measurement });
    }
    dispatch.set(HTTP_LABELS.default, { skipped: 'n/a (fetch only)' });

    const sdk = new Map<string, Cell>();
    for (const contender of PLAIN) {
      const pools = contender === 'pools' ? createConnectionPools({ connectionsPerOrigin: CONNECTIONS }) : undefined;
      const agent = contender === 'undici' ? new Agent({ connections: CONNECTIONS }) : undefined;
      const clients = urls.map((url) => {
        const baseURL = url.replace(/\/chat\/completions$/, '');
        if (pools !== undefined) return new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0, fetch: pools.fetch });
        if (agent !== undefined) return new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0, fetchOptions: { dispatcher: agent } as unknown as ClientOptions['fetchOptions'] });
        return new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0 });
      });
      const measurement = await measureAsync(async () => {
        for (const client of clients) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      }, runs(context, clients.length));
      await pools?.close();
      await agent?.close();
      sdk.set(HTTP_LABELS[contender], { measurement });
    }
    return {
      seedRows,
      sections: [
        {
          title: 'Connection pools beyond the seed',
          description: 'Speedup: openai default fetch time / pools time (or plain undici / pools where fetch is not used). Requests go to 10 local servers on 127.0.0.1.',
          contenders: PLAIN.map((c) => HTTP_LABELS[c]),
          rows: [
            { name: '10 requests via Dispatcher.request (no fetch layer)', throughputUnit: 'requests/s', cells: dispatch, baseline: HTTP_LABELS.undici, subject: HTTP_LABELS.pools },
            { name: '10 chat.completions.create calls through the openai client', throughputUnit: 'requests/s', cells: sdk, ...labels },
          ],
        },
      ],
    };
  } finally {
    await servers.close();
  }
}
