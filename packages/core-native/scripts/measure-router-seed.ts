// Measures the seed's router rows piece by piece, best of many short batches (robust on a shared
// machine): Router.pick and acquire + succeed round-robin over 5 models of 4 deployments each,
// and the engine calls alone, native vs the pure-TS fallback. Bounded: ROUNDS x BATCH calls.
// Run from the repo root: `pnpm exec tsx packages/core-native/scripts/measure-router-seed.ts`.
import { createRouter, type Router } from '../src/router/index.js';

const ROUNDS = process.argv.includes('--quick') ? 50 : 300;
const BATCH = 1_000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4', 'gpt-3.5-turbo'];

function best(step: (i: number) => void): number {
  for (let i = 0; i < 20 * BATCH; i += 1) step(i);
  let fastest = Infinity;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i += 1) step(i);
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / BATCH);
  }
  return fastest;
}

function build(engine: 'native' | 'fallback'): Router {
  const deployments = MODELS.flatMap((model, m) => Array.from({ length: 4 }, (_, k) => ({ id: `${model}-${k}`, model, weight: 1 + ((m + k) % 3), rpm: 1e9 })));
  return createRouter({ engine, seed: 1, strategy: 'simple_shuffle', deployments });
}

const rows: string[] = ['| step | native ns | fallback ns | speed-up |', '|---|---:|---:|---:|'];
const cells: Record<string, [number, number]> = {};
for (const engine of ['native', 'fallback'] as const) {
  const router = build(engine);
  const inside = router as unknown as { handle: number; groups: Map<string, number> };
  const groups = MODELS.map((model) => inside.groups.get(model)!);
  const at = engine === 'native' ? 0 : 1;
  const put = (name: string, ns: number) => ((cells[name] ??= [0, 0])[at] = ns);
  put('Router.pick', best((i) => void router.pick(MODELS[i % 5]!)));
  put('engine.pick (fixed time)', best((i) => void router.engine.pick(inside.handle, groups[i % 5]!, 1e12, 0, 0, false, null)));
  put('Router.acquire + succeed', best((i) => {
    const lease = router.acquire(MODELS[i % 5]!);
    if (typeof lease !== 'string') lease.succeed();
  }));
  router.close();
}
put0('Date.now()', best(() => void Date.now()));
function put0(name: string, ns: number) {
  cells[name] = [ns, ns];
}
for (const [name, [native, fallback]] of Object.entries(cells)) rows.push(`| ${name} | ${native.toFixed(0)} | ${fallback.toFixed(0)} | ${(fallback / native).toFixed(2)}x |`);
process.stdout.write(`${rows.join('\n')}\n(best of ${ROUNDS} batches of ${BATCH}; node ${process.version})\n`);
