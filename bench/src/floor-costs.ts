// The floor under any per-call design, measured in the run: a JS→Rust call that does no work,
// and one read of the wall clock from JS. The target notes use them to say what a row cannot
// go below, whatever the work inside costs.
import { loadNativeBinding } from '../../packages/core-native/src/native/binding.js';
import type { BenchContext } from './context.js';
import { measure } from './harness.js';

const CALLS = 1_000;

/** `crossing` and `clock`, in ms per call (`crossing` absent without the native binary). */
export function floorCosts(context: BenchContext): Record<string, number> {
  const options = { warmup: 3, minIterations: context.quick ? 3 : 20, budgetMs: context.quick ? 50 : 300, unitsPerRun: CALLS };
  let sink = 0;
  const out: Record<string, number> = {};
  out['clock'] = measure(() => {
    for (let i = 0; i < CALLS; i++) sink += Date.now();
  }, options).meanMs / CALLS;
  const binding = loadNativeBinding();
  if (!(binding instanceof Error)) {
    out['crossing'] = measure(() => {
      for (let i = 0; i < CALLS; i++) sink += binding.parallelism();
    }, options).meanMs / CALLS;
  }
  if (sink === 0) throw new Error('the floor loops did not run');
  return out;
}
