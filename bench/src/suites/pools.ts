// Connection pools: the seed's connection_pool rows, as dispatching a request (a small chat
// completion POST, read to the end) to 10 local endpoints, through our pools' fetch, undici's
// fetch on a plain Agent, and Node's global fetch (the openai SDK's default). There is no TS
// fallback for the pools, so the baseline is the SDK default.
import OpenAI, { type ClientOptions } from 'openai';
import { Agent } from 'undici';

import { createConnectionPools } from '../../../packages/openai-wrapper/src/pool/index.js';
import type { BenchContext } from '../context.js';
import { HTTP_LABELS, httpRunner } from '../contenders/http-clients.js';
import { measureAsync, mergeMeasurements, summarise, type Measurement, type MeasureOptions } from '../harness.js';
import { startServers } from '../local-servers.js';
import type { BenchRow, Cell, SuiteResult } from '../table.js';
import type { PoolContender } from '../workers/jobs.js';
import type { SeedWorkload } from '../workload.js';

const ALL: readonly PoolContender[] = ['pools', 'default', 'undici', 'pools-global'];
const PLAIN: readonly PoolContender[] = ['pools', 'default', 'undici'];
const CONNECTIONS = 64;

const IN_FLIGHT = 64;

function runs(context: BenchContext, unitsPerRun: number): MeasureOptions {
  return { warmup: 3, minIterations: context.quick ? 3 : 20, budgetMs: context.quick ? 100 : 1_500, unitsPerRun };
}

/** A contender's timed unit of work, and how to free what it holds. */
interface Runner {
  run(): Promise<unknown>;
  close(): Promise<unknown>;
}

/**
 * Runs every contender's `run` once per round, rotating which goes first, and times each run:
 * all contenders meet the same state of the machine (measured one after another, the later ones
 * came out faster on this 2-core machine, whichever they were). Memory is not measured per
 * contender here (the report shows —).
 */
async function interleaved(context: BenchContext, contenders: readonly PoolContender[], make: (contender: PoolContender) => Runner, unitsPerRun: number): Promise<Map<string, Cell>> {
  const runners = contenders.map(make);
  const samples = contenders.map((): number[] => []);
  const warmup = 3;
  const rounds = context.quick ? 5 : 80;
  for (let round = 0; round < warmup + rounds; round++) {
    for (let turn = 0; turn < runners.length; turn++) {
      const index = (round + turn) % runners.length;
      const started = performance.now();
      await runners[index]!.run();
      if (round >= warmup) samples[index]!.push(performance.now() - started);
    }
  }
  await Promise.all(runners.map((runner) => runner.close()));
  return new Map(contenders.map((contender, index) => [HTTP_LABELS[contender], { measurement: summarise(samples[index]!, unitsPerRun, Number.NaN) }]));
}

/** Measures every contender once per pass, in each pass's order, and merges each one's passes. */
async function inPasses(passes: readonly (readonly PoolContender[])[], measureOne: (contender: PoolContender) => Promise<Measurement>): Promise<Map<string, Cell>> {
  const parts = new Map<PoolContender, Measurement[]>();
  for (const pass of passes) {
    for (const contender of pass) parts.set(contender, [...(parts.get(contender) ?? []), await measureOne(contender)]);
  }
  return new Map([...parts].map(([contender, measured]) => [HTTP_LABELS[contender], { measurement: mergeMeasurements(measured) }]));
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
    // Each row runs in two passes, the contenders in opposite orders, merged: on this machine the
    // contender measured first came out slowest most of the time, whichever it was.
    const passes = [ALL, [...ALL].reverse()];
    context.progress('connection_pool: every contender, interleaved');
    const single = await interleaved(context, ALL, (contender) => {
      const client = httpRunner(contender, urls, CONNECTIONS);
      return {
        run: async () => {
          for (let i = 0; i < urls.length; i++) await client.step(i);
        },
        close: () => client.close(),
      };
    }, urls.length);
    const concurrent = await inPasses(passes, async (contender) => {
      context.progress(`connection_pool_concurrent: ${HTTP_LABELS[contender]}`);
      return context.workers.measure(
        { kind: 'pool', contender, urls, connections: CONNECTIONS },
        { opsPerThread: context.quick ? 50 : 500, warmupRounds: context.quick ? 1 : 2, rounds: context.quick ? 1 : 3 },
      );
    });
    context.progress(`${IN_FLIGHT} requests in flight: every contender, interleaved`);
    const inFlight = await interleaved(context, PLAIN, (contender) => {
      const client = httpRunner(contender, urls, CONNECTIONS);
      return { run: () => Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => client.step(i))), close: () => client.close() };
    }, IN_FLIGHT);
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

    context.progress('openai client: every contender, interleaved');
    const message = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
    const sdk = await interleaved(context, PLAIN, (contender) => {
      const pools = contender === 'pools' ? createConnectionPools({ connectionsPerOrigin: CONNECTIONS }) : undefined;
      const agent = contender === 'undici' ? new Agent({ connections: CONNECTIONS }) : undefined;
      const clients = urls.map((url) => {
        const baseURL = url.replace(/\/chat\/completions$/, '');
        if (pools !== undefined) return new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0, fetch: pools.fetch });
        if (agent !== undefined) return new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0, fetchOptions: { dispatcher: agent } as unknown as ClientOptions['fetchOptions'] });
        return new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0 });
      });
      return {
        run: async () => {
          for (const client of clients) await client.chat.completions.create(message);
        },
        close: async () => {
          await pools?.close();
          await agent?.close();
        },
      };
    }, urls.length);
    return {
      seedRows,
      sections: [
        {
          title: 'Connection pools beyond the seed',
          description: 'Speedup: openai default fetch time / pools time (or plain undici / pools where fetch is not used). Requests go to 10 local servers on 127.0.0.1.',
          contenders: PLAIN.map((c) => HTTP_LABELS[c]),
          rows: [
            { name: '10 requests via Dispatcher.request (no fetch layer)', throughputUnit: 'requests/s', cells: dispatch, baseline: HTTP_LABELS.undici, subject: HTTP_LABELS.pools },
            {
              name: '10 chat.completions.create calls through the openai client',
              throughputUnit: 'requests/s',
              cells: sdk,
              ...labels,
              note: 'Through the SDK every request also pays the SDK\'s own work (headers, retries, parsing), the same for every contender. Ours is `pools.fetch`: the SDK\'s JSON body goes straight to the pool and the answer comes back as a streaming `Response`; the default is Node 20\'s bundled `fetch`, plain undici its `fetch` on an Agent.',
            },
            {
              name: `${IN_FLIGHT} requests in flight at once from one thread (fetch)`,
              throughputUnit: 'requests/s',
              cells: inFlight,
              ...labels,
              note: 'Issue 4 asks for at least the SDK default here. `pools.fetch` skips the fetch algorithm for string and byte bodies (undici\'s `fetch` streams every body through an async generator and builds a Request per call); both `fetch` columns pay it.',
            },
          ],
        },
      ],
    };
  } finally {
    await servers.close();
  }
}
