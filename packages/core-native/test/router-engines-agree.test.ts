import { describe, expect, it } from 'vitest';
import { nativeRouterEngine } from '../src/router/native-engine.js';
import { createRouter, STRATEGIES, type DeploymentConfig, type RouterOptions } from '../src/router/index.js';
import { SeededRandom } from '../src/router/rng.js';
import { fakeClock, HttpError, uniqueName } from './router-fixtures.js';

const native = nativeRouterEngine();

/** Drives a router through a generated sequence of picks, acquires, successes and failures; returns what it saw. */
function drive(engine: 'native' | 'fallback', options: Partial<RouterOptions>, deployments: DeploymentConfig[], seed: number): unknown[] {
  const clock = fakeClock();
  const router = createRouter({ engine, name: uniqueName(`agree-${engine}`), seed, clock: clock.now, allowedFails: 1, cooldownMs: 2_000, ...options, deployments });
  const script = new SeededRandom(seed * 31 + 1);
  const open: Exclude<ReturnType<typeof router.acquire>, string>[] = [];
  const seen: unknown[] = [];
  for (let step = 0; step < 600; step += 1) {
    clock.advance(script.nextIndex(400));
    const action = script.nextIndex(10);
    const request = { promptTokens: script.nextIndex(3_000), stream: script.nextIndex(2) === 0, tags: script.nextIndex(4) === 0 ? ['eu'] : [] };
    if (action < 5) {
      const lease = router.acquire('m', request);
      seen.push(typeof lease === 'string' ? lease : lease.deployment.id);
      if (typeof lease !== 'string') open.push(lease);
    } else if (open.length > 0) {
      const lease = open.splice(script.nextIndex(open.length), 1)[0]!;
      if (action < 8) {
        if (script.nextIndex(2) === 0) lease.markFirstToken();
        clock.advance(script.nextIndex(50));
        lease.succeed({ outputTokens: script.nextIndex(500), totalTokens: script.nextIndex(3_000) });
      } else {
        const status = [429, 500, 400][script.nextIndex(3)]!;
        lease.fail(new HttpError(status, new Headers(script.nextIndex(2) === 0 ? { 'retry-after': '1' } : {}), undefined));
      }
    }
  }
  seen.push(router.snapshot());
  router.close();
  return seen;
}

describe.skipIf(native instanceof Error)('native and TS engines agree draw for draw', () => {
  const deployments: DeploymentConfig[] = Array.from({ length: 9 }, (_, index) => ({
    id: `d${index}`,
    model: 'm',
    weight: index % 3 === 0 ? 0 : index,
    rpm: index % 4 === 0 ? 40 : undefined,
    tpm: index % 5 === 0 ? 50_000 : undefined,
    maxInFlight: index % 2 === 0 ? 3 : undefined,
    contextWindow: index === 1 ? 1_000 : undefined,
    inputCostPerToken: index === 4 ? undefined : index * 1e-7,
    outputCostPerToken: index * 3e-7,
    tags: index % 2 === 0 ? ['eu'] : [],
  }));

  for (const strategy of STRATEGIES) {
    for (const powerOfTwoChoices of [false, true]) {
      it(`${strategy}${powerOfTwoChoices ? ' with power-of-two choices' : ''}`, () => {
        for (const seed of [1, 2, 3]) {
          const options = { strategy, powerOfTwoChoices };
          const fromNative = drive('native', options, deployments, seed);
          const fromFallback = drive('fallback', options, deployments, seed);
          expect(new Set(fromNative.filter((entry) => typeof entry === 'string')).size).toBeGreaterThan(2);
          expect(fromNative).toEqual(fromFallback);
        }
      });
    }
  }
});

describe('native router in CI', () => {
  it('loads unless the fallback is forced (a binary without the router fails CI)', () => {
    if (process.env['CI'] !== 'true' || process.env['TOLLGATE_BACKEND'] === 'fallback') return;
    expect(native).not.toBeInstanceOf(Error);
  });
});
