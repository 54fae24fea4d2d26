// Routing: the seed's get_available_deployment and routing_concurrent rows (20 deployments over
// 5 models) and rows beyond it (1,000 deployments; acquire + release), native engine against
// the TS fallback engine. No JS library does what the router does; LiteLLM's Router is the peer
// (Python columns of the seed rows).
import type { BenchContext } from '../context.js';
import { createRouter } from '@tollgate/core-native';
import { routerRunner, type RouterRunner } from '../contenders/routers.js';
import { measure, type MeasureOptions } from '../harness.js';
import type { BenchRow, Cell, SuiteResult } from '../table.js';
import type { SeedDeployment, SeedWorkload } from '../workload.js';

const NATIVE = 'tollgate native';
const FALLBACK = 'tollgate TS fallback';
const ENGINES = [['native', NATIVE], ['fallback', FALLBACK]] as const;
const PRIVATE_NATIVE = 'tollgate native, private per thread';

function runs(context: BenchContext, warmup: number, unitsPerRun: number): MeasureOptions {
  return { warmup, minIterations: context.quick ? 3 : 20, budgetMs: context.quick ? 50 : 600, unitsPerRun };
}

/** One timed run = `ops` calls of `step` on a fresh router. */
function cell(context: BenchContext, engine: 'native' | 'fallback', deployments: readonly SeedDeployment[], models: readonly string[], ops: number, warmup: number, step: (r: RouterRunner, i: number) => void): Cell {
  const router = routerRunner(engine, deployments, models);
  let next = 0;
  const measurement = measure(() => {
    for (let i = 0; i < ops; i++) step(router, next++);
  }, runs(context, warmup, ops));
  router.close();
  return { measurement };
}

function row(name: string, perRun: string, unit: string, make: (engine: 'native' | 'fallback') => Cell, seedSpeedup?: number): BenchRow {
  const cells = new Map<string, Cell>(ENGINES.map(([engine, label]) => [label, make(engine)]));
  return { name, throughputUnit: unit, cells, baseline: FALLBACK, subject: NATIVE, perRun, ...(seedSpeedup === undefined ? {} : { seedSpeedup }) };
}

/**
 * Diagnostics of a single pick: the engine call alone (no Router wrapper: no group lookup, no
 * request tuple), per engine. ms per operation (the bare JS→Rust call is in `floor-costs.ts`).
 */
function pickBreakdown(context: BenchContext, workload: SeedWorkload): Record<string, number> {
  const out: Record<string, number> = {};
  for (const engine of ['native', 'fallback'] as const) {
    const router = createRouter({ engine, seed: 1, strategy: 'simple_shuffle', deployments: workload.deployments.map((d) => ({ ...d })) });
    // Internal fields, read only to time the engine call on its own.
    const inside = router as unknown as { handle: number; groups: Map<string, number> };
    const groups = workload.models.map((m) => inside.groups.get(m)!);
    const m = measure(() => {
      for (const group of groups) router.engine.pick(inside.handle, group, Date.now(), 0, 0, false, null);
    }, runs(context, 3, groups.length));
    out[`pick.engine.${engine}`] = m.meanMs / groups.length;
    router.close();
  }
  return out;
}

/** The router rows: two of the seed's nine, and a section of rows beyond it. */
export async function routerSuite(context: BenchContext, workload: SeedWorkload): Promise<SuiteResult> {
  const { deployments, models, warmup } = workload;
  context.progress('get_available_deployment');
  const pick = row('get_available_deployment', '5 picks, one per model (simple_shuffle, 20 deployments)', 'picks/s', (engine) =>
    cell(context, engine, deployments, models, models.length, warmup, (r, i) => r.pick(i)),
  0.44);

  const concurrent = new Map<string, Cell>();
  const cores = context.cores;
  for (const [engine, label, shared, threads] of [
    ...ENGINES.map(([e, l]) => [e, l, e === 'native', 8] as const),
    ['native', PRIVATE_NATIVE, false, 8] as const,
    ['native', `${NATIVE}, ${cores} threads`, true, cores] as const,
    ['fallback', `${FALLBACK}, ${cores} threads`, false, cores] as const,
  ]) {
    context.progress(`routing_concurrent: ${label}`);
    const name = shared ? `bench-router-${process.pid}-${Date.now()}` : '';
    const opsPerThread = context.quick ? 2_000 : 20_000;
    const measurement = await context.workers.measure(
      { kind: 'router', engine, name, deployments, models },
      { threads, opsPerThread, warmupRounds: context.quick ? 1 : 3, rounds: context.quick ? 2 : 8 },
    );
    concurrent.set(label, { measurement });
  }
  const routingConcurrent: BenchRow = {
    name: 'routing_concurrent',
    throughputUnit: 'leases/s',
    cells: concurrent,
    baseline: FALLBACK,
    subject: NATIVE,
    perRun: 'one acquire + release (simple_shuffle, as get_available_deployment); 8 threads round-robin over the 5 models (native: one router shared by all threads; fallback: one per thread, it cannot share)',
    seedSpeedup: 0.57,
  };

  const many = Array.from({ length: 1_000 }, (_, i) => ({ id: `big-${i}`, model: 'gpt-4o', weight: 1 + (i % 7), rpm: 1_000_000_000 }));
  context.progress('router beyond the seed');
  const extra: BenchRow[] = [
    row('acquire + release, 20 deployments', '5 leases, one per model', 'leases/s', (engine) =>
      cell(context, engine, deployments, models, models.length, warmup, (r, i) => r.lease(i))),
    row('pick among 1,000 deployments', '100 picks (simple_shuffle, one model group)', 'picks/s', (engine) =>
      cell(context, engine, many, ['gpt-4o'], 100, warmup, (r, i) => r.pick(i))),
    row('acquire + release, 1,000 deployments', '100 leases (one model group)', 'leases/s', (engine) =>
      cell(context, engine, many, ['gpt-4o'], 100, warmup, (r, i) => r.lease(i))),
  ];
  const diagnostics = pickBreakdown(context, workload);
  return {
    diagnostics,
    seedRows: [pick, routingConcurrent],
    sections: [{ title: 'Routing beyond the seed', description: 'Speedup: TS fallback engine time / native engine time. Each cell builds its router once, outside the timing.', contenders: [NATIVE, FALLBACK], rows: extra }],
  };
}
