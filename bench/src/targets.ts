// The speed targets of the open issues (3: limiter, 4: router and pools), each checked against
// this run's numbers, with the measured reason wherever a target is missed. Nothing here is
// guessed: every figure is a cell or a diagnostic of the same run.
import { duration, ratio } from './format.js';
import type { Diagnostics } from './shortfall.js';
import { medianOf, speedup, type BenchRow, type BenchSection, type Cell } from './table.js';

const RLF = 'rate-limiter-flexible';
const BATCHED = 'tollgate native, the same checks in one tryAcquireMany';
const DEFAULT_FETCH = 'openai default fetch';
const PLAIN_UNDICI = 'plain undici (Agent)';

interface Target {
  readonly issue: number;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  readonly why?: string;
}

/** Time of one unit (check, pick, request) of a cell, from its mean throughput. */
const perUnit = (cell: Cell | undefined) => (cell !== undefined && 'measurement' in cell ? 1_000 / cell.measurement.throughput : undefined);

function findRow(sections: readonly BenchSection[], name: string): BenchRow | undefined {
  for (const section of sections) for (const row of section.rows) if (row.name === name || row.name.startsWith(name)) return row;
  return undefined;
}


/** Our algorithm in JS (the TS fallback) against the peer on `row`: the extra work it does. */
function algorithmWhy(row: BenchRow): string {
  const fallback = speedup(row, RLF, row.baseline);
  return fallback === undefined ? '' : `Our algorithm in JS (the TS fallback) takes ${ratio(1 / fallback)} the time of ${RLF} on this row.`;
}

/** Said once above the reasons when a limiter target is missed. */
const ALGORITHMS = `${RLF} (memory) counts a fixed window, one counter per key, which lets twice the limit through across a window edge; ours keeps a sliding window of 13 slots per limit, leases and idle-key eviction, so it does more per check.`;

/** The per-check floor of a single call: one clock read and one crossing, against 3x the peer. */
function singleCheckWhy(row: BenchRow, d: Diagnostics): string | undefined {
  const peer = perUnit(row.cells.get(RLF));
  const clock = d['clock'];
  const crossing = d['crossing'];
  if (peer === undefined || clock === undefined || crossing === undefined) return undefined;
  const floor = clock + crossing;
  return `3x needs ${duration(peer / 3)} per check (${RLF}: ${duration(peer)}). A single check reads the clock (${duration(clock)} from JS) and crosses into Rust once (a call that does no work: ${duration(crossing)}): ${duration(floor)} before any work, so no per-call design reaches ${ratio(peer / floor)} here. A check in JS on memory the native side shares would skip the crossing but not the clock and the key lookup. A batch pays the clock and the crossing once per call. ${algorithmWhy(row)}`;
}

function limiterTargets(seed: readonly BenchRow[], sections: readonly BenchSection[], d: Diagnostics, cores: number): Target[] {
  const targets: Target[] = [];
  const peerRow = (row: BenchRow | undefined, label: string, rowWhy?: string) => {
    if (row === undefined) return;
    const single = speedup(row, RLF);
    const batched = speedup(row, RLF, [...row.cells.keys()].find((c) => c.startsWith(BATCHED)) ?? BATCHED);
    if (single !== undefined) {
      const why = single >= 3 ? undefined : row.name === 'check_rate_limit' ? singleCheckWhy(row, d) : `${rowWhy ?? ''} ${algorithmWhy(row)}`.trim();
      targets.push({ issue: 3, target: `${label}: native ≥ 3x ${RLF} per check (one tryAcquire per check)`, measured: ratio(single), met: single >= 3, ...(why === undefined ? {} : { why }) });
    }
    if (batched !== undefined) {
      const why = batched >= 3 ? undefined : `${rowWhy === undefined ? '' : `${rowWhy} `}${algorithmWhy(row)}`;
      targets.push({ issue: 3, target: `${label}: native ≥ 3x ${RLF} per check (the same checks through tryAcquireMany)`, measured: ratio(batched), met: batched >= 3, ...(why === undefined ? {} : { why }) });
    }
  };
  const concurrent = seed.find((row) => row.name === 'check_rate_limit_concurrent');
  const privateCell = perUnit(concurrent?.cells.get('tollgate native, private per thread'));
  const sharedCell = perUnit(concurrent?.cells.get(concurrent.subject));
  const threadsWhy = privateCell !== undefined && sharedCell !== undefined
    ? `8 threads on ${cores} cores: ${RLF} gives each thread a private limiter (it cannot share one), ours is one exact limiter for all 8, behind shard locks (${duration(sharedCell)} per check; a private native limiter per thread: ${duration(privateCell)}). The single-thread floor above applies too.`
    : undefined;
  peerRow(seed.find((row) => row.name === 'check_rate_limit'), 'check_rate_limit (50 keys)');
  peerRow(concurrent, 'check_rate_limit_concurrent (8 threads)', threadsWhy);
  const pressureWhy = 'Each check is a new key: its name crosses as a string and is hashed, stored and given a row of counters in Rust, and its handle is remembered in JS.';
  peerRow(seed.find((row) => row.name === 'memory_pressure_rate_limit'), 'memory_pressure_rate_limit (1,000 new keys)', pressureWhy);
  // 1,000,000 keys in a full run (100,000 in quick mode).
  const million = findRow(sections, '1,000,000 new keys') ?? findRow(sections, '100,000 new keys');
  if (million !== undefined) {
    peerRow(million, million.name.replace(/, one check each$/, ''), pressureWhy);
    const cell = million.cells.get(million.subject);
    const rss = cell !== undefined && 'measurement' in cell ? cell.measurement.rssDeltaMb : undefined;
    if (rss !== undefined) targets.push({ issue: 3, target: `${million.name.replace(/ new keys.*$/, '')} keys held in ≤ 200 MB (native, RSS growth)`, measured: `${rss.toFixed(0)} MB`, met: rss <= 200 });
  }
  for (const row of [...seed.filter((r) => r.name.includes('rate_limit')), ...(million === undefined ? [] : [million])]) {
    const value = speedup(row);
    if (value !== undefined) targets.push({ issue: 3, target: `${row.name}: native ≥ 1.0x the TS fallback`, measured: ratio(value), met: value >= 1 });
  }
  return targets;
}

function routerAndPoolTargets(seed: readonly BenchRow[], sections: readonly BenchSection[]): Target[] {
  const targets: Target[] = [];
  const pick20 = seed.find((row) => row.name === 'get_available_deployment');
  const pick1000 = findRow(sections, 'pick among 1,000 deployments');
  for (const [row, label, limitUs] of [[pick20, 'a pick among 20 deployments', 1], [pick1000, 'a pick among 1,000 deployments', 5]] as const) {
    const each = perUnit(row?.cells.get(row.subject));
    if (each !== undefined) targets.push({ issue: 4, target: `${label} ≤ ${limitUs} µs (mean over batches of picks)`, measured: duration(each), met: each <= limitUs / 1_000 });
  }
  for (const name of ['get_available_deployment', 'routing_concurrent']) {
    const row = seed.find((r) => r.name === name);
    const value = row === undefined ? undefined : speedup(row);
    if (value !== undefined) targets.push({ issue: 4, target: `${name}: native ≥ 1.0x the TS fallback`, measured: ratio(value), met: value >= 1 });
  }
  const pools = [seed.find((r) => r.name === 'connection_pool'), seed.find((r) => r.name === 'connection_pool_concurrent'), findRow(sections, '64 requests in flight')];
  for (const row of pools) {
    if (row === undefined) continue;
    const value = speedup(row, DEFAULT_FETCH);
    const ours = medianOf(row.cells.get(row.subject));
    const theirs = medianOf(row.cells.get(DEFAULT_FETCH));
    if (value === undefined) continue;
    const medians = ours !== undefined && theirs !== undefined ? `; by median ${ratio(theirs / ours)}` : '';
    const undici = speedup(row, PLAIN_UNDICI);
    const why = undici === undefined ? undefined : `plain undici (its \`fetch\` on an Agent, no pool logic) is ${ratio(undici)} of ours in the same run: what is left is our per-request work (the direct fetch path and the dispatcher's bookkeeping) and the spread of loopback round trips on this machine.`;
    targets.push({ issue: 4, target: `${row.name}: our pools at least as fast as the openai client's default`, measured: `${ratio(value)}${medians}`, met: value >= 1, ...(why === undefined ? {} : { why }) });
  }
  return targets;
}

/** The report section: one line per target, met or not, with the reason for a miss. */
export function targetLines(seed: BenchSection, sections: readonly BenchSection[], diagnostics: Diagnostics, cores: number): string[] {
  const targets = [...limiterTargets(seed.rows, sections, diagnostics, cores), ...routerAndPoolTargets(seed.rows, sections)];
  if (targets.length === 0) return [];
  const lines = [
    '## Targets of the issues',
    '',
    'Each speed target of issue 3 (rate limiting) and issue 4 (routing and pools), against this run (means; a ratio is the other contender\'s time / ours).',
    '',
    '| Issue | Target | Measured | Met |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.issue} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
  ];
  const misses = targets.filter((t) => !t.met && t.why !== undefined);
  if (misses.length > 0) {
    lines.push('Why the missed targets are missed, from this run\'s measurements:', '');
    if (misses.some((t) => t.issue === 3)) lines.push(ALGORITHMS, '');
    lines.push(...misses.map((t) => `- ${t.target}: ${t.why}`), '');
  }
  return lines;
}
