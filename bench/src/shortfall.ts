// Why a seed row is below 1.0x, from measurements of the same run (never guessed): native with
// private per-thread state for the concurrent rows, the engine or store call without its JS
// wrapper and a bare JS→Rust call for the single-call rows, and the pools under other fetch
// layers for the pool rows.
import { duration, ratio } from './format.js';
import { meanOf, medianOf, speedup, type BenchRow } from './table.js';

/** Diagnostic column names (set by the suites). */
export const DIAGNOSTIC = {
  privateNative: 'tollgate native, private per thread',
  poolsGlobal: 'tollgate pools under global fetch',
  undici: 'plain undici (Agent)',
  defaultFetch: 'openai default fetch',
} as const;

/** Measured breakdowns (ms per operation) by name, from the suites. */
export type Diagnostics = Readonly<Record<string, number>>;

const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(0)}%`;

function medianNote(row: BenchRow): string {
  const ours = medianOf(row.cells.get(row.subject));
  const base = medianOf(row.cells.get(row.baseline));
  return ours === undefined || base === undefined ? '' : ` By median run time (robust to the shared machine's outliers) the row is ${ratio(base / ours)}.`;
}

/** Per-call cost: the store/engine call on its own per backend, and a bare crossing. */
function perCall(d: Diagnostics, what: 'check' | 'pick'): string | undefined {
  const native = d[what === 'check' ? 'check.store.native' : 'pick.engine.native'];
  const fallback = d[what === 'check' ? 'check.store.fallback' : 'pick.engine.fallback'];
  const crossing = d['crossing'];
  if (native === undefined || fallback === undefined) return undefined;
  const inner = what === 'check' ? 'the store call alone (no decision or lease object)' : 'the engine call alone (no group lookup or request tuple)';
  const parts = [`single-thread, ${inner} takes ${duration(native)} native against ${duration(fallback)} in the TS fallback per ${what}`];
  if (crossing !== undefined) parts.push(`a JS→Rust call that does no work at all costs ${duration(crossing)} here`);
  return parts.join('; ') + '.';
}

function concurrentReason(row: BenchRow, cores: number, d: Diagnostics): string | undefined {
  const shared = meanOf(row.cells.get(row.subject));
  const alone = meanOf(row.cells.get(DIAGNOSTIC.privateNative));
  const base = meanOf(row.cells.get(row.baseline));
  if (shared === undefined || alone === undefined || base === undefined) return undefined;
  const what = row.name.startsWith('routing') ? 'router' : 'limiter';
  const lines = [
    `Measured: native with one ${what} shared by the 8 threads takes ${duration(shared)} per operation; native with a private ${what} per thread (the TS fallback's work: it cannot share state across threads) takes ${duration(alone)}, the fallback ${duration(base)}.`,
  ];
  const what1 = what === 'router' ? 'pick' : 'check';
  const nativeCall = d[what1 === 'check' ? 'check.store.native' : 'pick.engine.native'];
  const fallbackCall = d[what1 === 'check' ? 'check.store.fallback' : 'pick.engine.fallback'];
  if (alone < shared * 0.9) {
    lines.push(`Private state is ${pct(alone, shared)} against shared, so much of the gap is the price of one exact shared state for 8 threads on ${cores} cores (threads wait on the same lock and cache lines).`);
    lines.push(`Fix: stripe the shared state (per-key shards, or per-thread counters merged on read) so threads stop contending on one lock.`);
  } else if (nativeCall !== undefined && fallbackCall !== undefined && nativeCall >= fallbackCall * 0.9) {
    lines.push(`Private state is not faster (${pct(alone, shared)}), so sharing is not the cause; the gap is per call, as single-thread: ${perCall(d, what1)}`);
    lines.push(`Fix: fewer crossings per operation — a batch call (the binding already has \`limiterTryBatch\`) or a handle-based API on hot paths (see the resolved-handle row beyond the seed), and no decision/lease objects when the caller only needs the answer.`);
  } else {
    lines.push(`Private state is not faster (${pct(alone, shared)}), so sharing is not the cause, and single-thread the native call is the faster one (${perCall(d, what1) ?? 'not measured'}).`);
    const nativeFew = meanOf(row.cells.get(`${row.subject}, ${cores} threads`));
    const fallbackFew = meanOf(row.cells.get(`${row.baseline}, ${cores} threads`));
    const batching = what === 'router'
      ? 'fewer crossings and objects per lease (today acquire and release are two crossings plus a lease object with closures; the acquire + release row beyond the seed measures that path single-thread)'
      : 'no decision/lease objects when the caller only needs the answer, and many checks per crossing (the binding already has `limiterTryBatch`)';
    if (nativeFew !== undefined && fallbackFew !== undefined) {
      lines.push(`With ${cores} threads (one per core) native takes ${duration(nativeFew)} against the fallback's ${duration(fallbackFew)} (${ratio(fallbackFew / nativeFew)}).`);
      if (nativeFew < fallbackFew * 0.95) {
        lines.push(`So the loss comes from running 8 threads on ${cores} cores: time-slicing hurts the shared native path more than private JS state. Fix: size worker pools to the cores, or stripe the shared state so a preempted thread blocks fewer others.`);
      } else {
        lines.push(`Under concurrency each operation costs far more than its Rust call alone, and that extra work (the JS around the call, objects per call, thread scheduling) is common to both paths, so the native call's edge is diluted to noise level on this machine. Fix: shrink the shared per-operation work — ${batching}.`);
      }
    }
  }
  return lines.join(' ');
}

function singleReason(row: BenchRow, d: Diagnostics): string | undefined {
  const what = row.name === 'get_available_deployment' ? 'pick' : 'check';
  const breakdown = perCall(d, what);
  if (breakdown === undefined) return undefined;
  const native = d[what === 'check' ? 'check.store.native' : 'pick.engine.native']!;
  const fallback = d[what === 'check' ? 'check.store.fallback' : 'pick.engine.fallback']!;
  const lines = [`Measured: ${breakdown}`];
  if (native >= fallback * 0.9) {
    lines.push(`The JS version of this small piece of work is about as fast as calling into Rust, so the native path cannot win by much on single calls; the JS wrapper around it costs the same on both paths.`);
    lines.push(what === 'pick'
      ? 'Fix: make the per-pick work JS-side — read the deployments\' state the native core keeps exact from a shared Float64Array and choose in JS, crossing only to take a slot (acquire) — or pick for many requests in one call.'
      : 'Fix: resolve keys to handles once (`limiter.key()`, measured in the resolved-handle row) and check many keys per crossing (`limiterTryBatch`).');
  } else {
    lines.push(`The call itself is faster native and the JS around it is the same code on both paths, so the native call is not where this row loses.`);
  }
  return lines.join(' ');
}

function poolReason(row: BenchRow): string | undefined {
  const ours = meanOf(row.cells.get(row.subject));
  const undici = meanOf(row.cells.get(DIAGNOSTIC.undici));
  const global = meanOf(row.cells.get(DIAGNOSTIC.poolsGlobal));
  const base = meanOf(row.cells.get(row.baseline));
  if (ours === undefined || undici === undefined || global === undefined || base === undefined) return undefined;
  const lines = [
    `Measured: \`pools.fetch\` (string bodies straight to our pools) takes ${duration(ours)}; undici 7's \`fetch\` on a plain Agent ${duration(undici)}; Node's global \`fetch\` (the SDK default) ${duration(base)}; our pools as the dispatcher of the global \`fetch\` ${duration(global)}.`,
  ];
  if (undici < ours * 0.9) {
    lines.push(`The same undici \`fetch\` on a plain Agent is ${pct(undici, ours)} against ours, so the cost is in our per-request work (the direct fetch path's Response and stream, and the dispatcher's handler, origin lookup, health record and total-cap slot). The Dispatcher.request row beyond the seed measures the dispatcher alone; when that row is near 1.0x, the gap here is run-to-run spread.`);
  } else if (global < base) {
    lines.push(`Fix: make \`pools.fetch\` call the global \`fetch\` with the pools as its dispatcher (or pass \`fetchOptions: { dispatcher: pools }\` to the SDK), measured here at ${duration(global)}.`);
  } else {
    lines.push('No variant measured here beats the baseline clearly: the contenders are within the run-to-run spread of this machine for loopback requests. Fix: a quiet machine to settle it; the pool cannot make a loopback round trip much cheaper.');
  }
  return lines.join(' ');
}

/** The explanation of a row below 1.0x, or `undefined` when it is not below. */
export function shortfall(row: BenchRow, cores: number, diagnostics: Diagnostics): string | undefined {
  const value = speedup(row);
  if (value === undefined || value >= 1) return undefined;
  let reason: string | undefined;
  const oursCell = row.cells.get(row.subject);
  const ours = medianOf(oursCell);
  const base = medianOf(row.cells.get(row.baseline));
  const slowest = oursCell !== undefined && 'measurement' in oursCell ? oursCell.measurement.maxMs : undefined;
  const outliers = ours !== undefined && base !== undefined && base / ours >= 1
    ? `By median run time the row is ${ratio(base / ours)}, at or above 1.0x: its mean is pulled down by outlier runs on this shared, loaded machine (our slowest run ${slowest === undefined ? 'n/a' : duration(slowest)} against a median of ${duration(ours)}); fix: a quiet machine for the published numbers. `
    : '';
  if (row.name.startsWith('connection_pool')) reason = poolReason(row);
  else if (row.name.endsWith('_concurrent')) reason = concurrentReason(row, cores, diagnostics);
  else if (row.name === 'get_available_deployment' || row.name.includes('rate_limit')) reason = singleReason(row, diagnostics);
  return outliers + (reason ?? 'No measurement of this run explains it; see the detailed timings.') + (outliers === '' ? medianNote(row) : '');
}
