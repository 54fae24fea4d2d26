// The demo from texts to report: servers up, requests sent, numbers checked, servers down.
import { performance } from 'node:perf_hooks';
import { countChatTokens, getBackend, type ChatMessage } from '@tollgate/core-native';
import type { MockModelOptions } from '@tollgate/mock-openai-server';
import type { UsageRecord } from '@tollgate/openai';
import { loadTexts } from './corpus.js';
import { DemoError } from './errors.js';
import { ProgressBar, type ProgressOutput } from './progress.js';
import { buildRequests, DEFAULT_MAX_REQUESTS, type DemoRequest } from './requests.js';
import { formatIntro, formatReport } from './report.js';
import { sendAll } from './send.js';
import { startDemoServers } from './servers.js';
import { summarise, type UsageSummary } from './summary.js';

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Files and folders to read; empty for the bundled corpus. @default [] */
  readonly paths?: readonly string[];
  /** Folder relative `paths` are resolved against. @default process.cwd() */
  readonly baseDir?: string;
  /** Where the report goes. @default process.stdout */
  readonly out?: { write(text: string): unknown };
  /** Where the progress bar goes; redrawn in place only when `isTTY`. @default process.stderr */
  readonly err?: ProgressOutput;
  /** Most requests in flight. @default 8 */
  readonly concurrency?: number;
  /** Most requests sent. @default 1000 */
  readonly maxRequests?: number;
  /** Changes how the servers answer for some models (latency, encoding, ...). @default {} */
  readonly serverOverrides?: Readonly<Record<string, MockModelOptions>>;
  /** Aborting it stops the run; the servers are closed and `runDemo` rejects with a DemoError. */
  readonly signal?: AbortSignal;
}

/** What {@link runDemo} did. */
export interface DemoResult {
  /** True when every request succeeded and every local count equals the server's. */
  readonly ok: boolean;
  readonly summary: UsageSummary;
  /** The report as printed to `out`. */
  readonly report: string;
}

const COUNTING_PASSES = 3;

/**
 * Counts every prompt again, outside the calls, to measure the local counting throughput: the
 * fastest of three passes, so a garbage collection or a busy moment does not set the number.
 */
function timeCounting(requests: readonly DemoRequest[]) {
  const countedBytes = requests.reduce((total, request) => total + request.promptTextBytes, 0);
  let countingMs = Infinity;
  for (let pass = 0; pass < COUNTING_PASSES; pass += 1) {
    const startedAt = performance.now();
    for (const request of requests)
      countChatTokens(request.messages as ChatMessage[], { model: request.model });
    countingMs = Math.min(countingMs, performance.now() - startedAt);
  }
  return { countedBytes, countingMs };
}

/**
 * Runs the demo: reads the texts, starts the local servers, sends one summarise request per chunk
 * through wrapped `openai` clients (progress on `err`), prints the report on `out`, and closes the
 * servers whatever happens.
 *
 * @throws DemoError for a bad path, no text, a bad option, or an aborted `signal`.
 * @example
 * ```ts
 * const { ok } = await runDemo({ paths: ['README.md'] });
 * ```
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<DemoResult> {
  const { paths = [], out = process.stdout, err = process.stderr, signal } = options;
  const concurrency = options.concurrency ?? 8;
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new DemoError(`Expected \`concurrency\` to be a positive integer, got ${concurrency}.`);
  if (!Number.isInteger(maxRequests) || maxRequests < 1)
    throw new DemoError(`Expected \`maxRequests\` to be a positive integer, got ${maxRequests}.`);

  const texts = await loadTexts(paths, options.baseDir);
  const records: UsageRecord[] = [];
  const servers = await startDemoServers((record) => records.push(record), options.serverOverrides);
  try {
    const { requests, chunkCount } = buildRequests(texts.documents, servers.models, maxRequests);
    const endpoints = servers.endpoints.map(({ label, server, models }) => ({
      label,
      url: server.url,
      models,
    }));
    out.write(formatIntro(requests.length, texts.documents.length, endpoints));
    // Loads tollgate's encodings too (tens of ms), for the same reason as the servers do.
    for (const model of servers.models) countChatTokens([{ role: 'user', content: '' }], { model });
    const progress = new ProgressBar(err, requests.length);
    const startedAt = performance.now();
    const sent = await sendAll(servers, requests, { concurrency, signal, progress });
    const wallTimeMs = performance.now() - startedAt;
    progress.finish();
    if (signal?.aborted === true)
      throw new DemoError(`Interrupted after ${sent.length} of ${requests.length} requests.`);

    const summary = summarise(servers, sent, records);
    const report = formatReport(summary, {
      texts,
      plannedRequests: requests.length,
      chunkCount,
      concurrency,
      wallTimeMs,
      ...timeCounting(requests),
      backend: getBackend(),
      serverCount: servers.endpoints.length,
    });
    out.write(report);
    return { ok: summary.problems.length === 0, summary, report };
  } finally {
    await servers.close();
  }
}
