// Formats the demo's final report: the per-model table, then the run's numbers and the verdict.
import type { LoadedTexts } from './corpus.js';
import type { ModelRow, UsageSummary } from './summary.js';

/** What the report says besides the table. */
export interface RunFacts {
  readonly texts: LoadedTexts;
  /** Requests built (after `maxRequests`) and chunks found in the texts. */
  readonly plannedRequests: number;
  readonly chunkCount: number;
  readonly concurrency: number;
  /** From the first request sent to the last one done, in milliseconds. */
  readonly wallTimeMs: number;
  /** UTF-8 bytes of prompt text counted by one timed `countChatTokens` pass. */
  readonly countedBytes: number;
  /** Duration of the fastest such pass, in milliseconds. */
  readonly countingMs: number;
  readonly backend: string;
  readonly serverCount: number;
}

const COLUMNS = [
  { title: 'model', align: 'left' },
  { title: 'requests', align: 'right' },
  { title: 'streamed', align: 'right' },
  { title: 'prompt (local)', align: 'right' },
  { title: 'prompt (server)', align: 'right' },
  { title: 'equal', align: 'left' },
  { title: 'completion', align: 'right' },
  { title: 'cost (USD)', align: 'right' },
  { title: 'mean latency', align: 'right' },
] as const;

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1 file`, `2 files`: `count` and `word`, with an `s` unless `count` is 1. */
function plural(count: number, word: string): string {
  return `${integer.format(count)} ${word}${count === 1 ? '' : 's'}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

function cells(row: ModelRow): string[] {
  return [
    row.model,
    integer.format(row.requests),
    integer.format(row.streamed),
    integer.format(row.promptTokensCounted),
    integer.format(row.promptTokensReported),
    row.promptTokensCounted === row.promptTokensReported ? 'yes' : 'NO',
    integer.format(row.completionTokens),
    row.costUsd === undefined ? 'n/a' : `$${row.costUsd.toFixed(4)}`,
    `${integer.format(row.meanLatencyMs)} ms`,
  ];
}

/** Lays out `rows` under the column titles, with a rule under the titles and above the last row. */
function table(rows: readonly string[][]): string {
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    COLUMNS.map((column, index) => {
      const value = values[index] ?? '';
      const width = widths[index] ?? 0;
      return column.align === 'left' ? value.padEnd(width) : value.padStart(width);
    })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const body = rows.map(line);
  return [
    line(COLUMNS.map((column) => column.title)),
    rule,
    ...body.slice(0, -1),
    rule,
    ...body.slice(-1),
  ].join('\n');
}

function listed(items: readonly string[], most: number): string {
  const shown = items.slice(0, most).join(', ');
  return items.length > most ? `${shown}, and ${items.length - most} more` : shown;
}

/** The lines under the table, as `label  text` pairs. */
function facts(summary: UsageSummary, run: RunFacts): [string, string][] {
  const seconds = run.wallTimeMs / 1000;
  const perSecond = seconds > 0 ? summary.total.requests / seconds : 0;
  const throughput =
    run.countingMs > 0 ? run.countedBytes / 1_000_000 / (run.countingMs / 1000) : 0;
  const { documents, skipped, groupLabel, source } = run.texts;
  const groups = [...new Set(documents.map((document) => document.group))].sort();
  const bytes = documents.reduce((total, document) => total + document.bytes, 0);
  const origin = source === 'corpus' ? 'corpus (examples/corpus)' : 'input';
  const lines: [string, string][] = [
    [
      'wall time',
      `${seconds.toFixed(2)} s for ${plural(summary.total.requests, 'request')} to ${run.serverCount} local servers: ${perSecond.toFixed(1)} requests/s, at most ${run.concurrency} in flight`,
    ],
    [
      'local counting',
      `${megabytes(run.countedBytes)} of prompt text in ${run.countingMs.toFixed(1)} ms: ${throughput.toFixed(1)} MB/s (countChatTokens, best of 3 passes, ${run.backend} backend)`,
    ],
    [
      origin,
      `${megabytes(bytes)} in ${plural(documents.length, 'file')}, ${plural(run.chunkCount, 'chunk')}; ${groupLabel} (${groups.length}): ${listed(groups, 16)}`,
    ],
  ];
  if (skipped.length > 0) {
    const names = skipped.map((file) => `${file.name} (${file.reason})`);
    lines.push(['skipped', `${plural(skipped.length, 'file')}: ${listed(names, 4)}`]);
  }
  if (run.plannedRequests < run.chunkCount)
    lines.push([
      'note',
      `sent the first ${run.plannedRequests} of ${run.chunkCount} chunks (--max-requests)`,
    ]);
  if (summary.estimatedCounts > 0)
    lines.push([
      'estimates',
      [
        `${summary.estimatedCounts} of ${plural(summary.total.requests, 'local count')} marked as estimates by tollgate:`,
        ...summary.estimateReasons.map((reason) => `- ${reason}`),
      ].join('\n'),
    ]);
  return lines;
}

/** The lines printed before the requests go out: what is sent where. */
export function formatIntro(
  requestCount: number,
  fileCount: number,
  endpoints: readonly { label: string; url: string; models: readonly string[] }[],
): string {
  const servers = endpoints.map(
    (endpoint) => `  ${endpoint.label.padEnd(5)} ${endpoint.url}  ${endpoint.models.join(', ')}`,
  );
  return [
    `Sending ${plural(requestCount, 'chat request')} built from ${plural(fileCount, 'file')} through wrapOpenAI(new OpenAI(...)) to local OpenAI-compatible servers:`,
    ...servers,
    '',
    '',
  ].join('\n');
}

/**
 * The report printed at the end of the demo: the per-model table with a total row, the run's
 * numbers (wall time, requests/s, counting throughput, backend, corpus), then either a line saying
 * every local count equals the server's or one line per problem.
 */
export function formatReport(summary: UsageSummary, run: RunFacts): string {
  const rows = [...summary.rows, summary.total].map(cells);
  const lines = facts(summary, run);
  const labelWidth = Math.max(...lines.map(([label]) => label.length));
  const verdict =
    summary.problems.length === 0
      ? `OK: for every one of the ${summary.total.requests} requests, the prompt tokens counted locally equal the server's usage.`
      : `FAILED: ${summary.problems.length} problem(s):\n${summary.problems.map((problem) => `  - ${problem}`).join('\n')}`;
  return [
    table(rows),
    '',
    ...lines.map(
      ([label, text]) =>
        `${label.padEnd(labelWidth)}  ${text.replaceAll('\n', `\n${' '.repeat(labelWidth + 2)}`)}`,
    ),
    '',
    verdict,
    '',
  ].join('\n');
}
