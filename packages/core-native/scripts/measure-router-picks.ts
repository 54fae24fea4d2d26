// Measures router picks: ns per `router.pick` among 20 and 1,000 deployments of one model group
// (weights 1..7, rpm 1e9 so the rpm filter runs), native engine vs the pure-TS fallback. Each cell
// warms up, then times ROUNDS batches of BATCH picks and keeps the best batch: short batches let
// the best one run without being preempted on a shared machine. Bounded: ROUNDS x BATCH picks.
// Run from the repo root: `pnpm exec tsx --conditions=tollgate-source packages/core-native/scripts/measure-router-picks.ts`
// (`--quick` for smaller batches). Rebuild the binary first: `node packages/core-native/scripts/build-native.mjs`.
import { createRouter, type RouterOptions } from '../src/router/index.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 100 : 400;
const BATCH = 1_000;

function deployments(count: number): RouterOptions['deployments'] {
  return Array.from({ length: count }, (_, index) => ({ id: `d${index}`, model: 'm', weight: 1 + (index % 7), rpm: 1e9 }));
}

/** Best-of-{@link ROUNDS} nanoseconds per pick. */
function nsPerPick(engine: 'native' | 'fallback', count: number, strategy: RouterOptions['strategy']): number {
  const router = createRouter({ engine, seed: 1, strategy, deployments: deployments(count) });
  let best = Infinity;
  let misses = 0;
  for (let index = 0; index < 20 * BATCH; index += 1) router.pick('m');
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < BATCH; index += 1) if (typeof router.pick('m') === 'string') misses += 1;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / BATCH);
  }
  router.close();
  if (misses > 0) throw new Error(`${misses} picks found no deployment`);
  return best;
}

const rows: string[] = ['| strategy | deployments | native ns/pick | fallback ns/pick | native speed-up |', '|---|---:|---:|---:|---:|'];
for (const strategy of ['simple_shuffle', 'least_busy', 'usage_based'] as const) {
  for (const count of [20, 1_000]) {
    const native = nsPerPick('native', count, strategy);
    const fallback = nsPerPick('fallback', count, strategy);
    rows.push(`| ${strategy} | ${count} | ${native.toFixed(0)} | ${fallback.toFixed(0)} | ${(fallback / native).toFixed(2)}x |`);
  }
}
process.stdout.write(`${rows.join('\n')}\n(best of ${ROUNDS} batches of ${BATCH} picks each; node ${process.version})\n`);
