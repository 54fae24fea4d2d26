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

describe.skipIf(native instanceof Error)('native and TS engines agree on other shapes of groups', () => {
  const shapes: [string, DeploymentConfig[]][] = [
    ['simple_shuffle by rpm when no deployment has a weight', Array.from({ length: 7 }, (_, index) => ({ id: `r${index}`, model: 'm', rpm: index % 3 === 0 ? undefined : 20 + index, maxInFlight: 2 }))],
    ['simple_shuffle by tpm when none has a weight or an rpm', Array.from({ length: 7 }, (_, index) => ({ id: `t${index}`, model: 'm', tpm: index === 2 ? undefined : 20_000 + index * 1_000, maxInFlight: 2 }))],
    ['1,000 deployments, some with a context window, some tagged', Array.from({ length: 1_000 }, (_, index) => ({
      id: `k${index}`,
      model: 'm',
      weight: index % 11 === 0 ? 0 : 1 + (index % 7),
      rpm: index % 13 === 0 ? 3 : undefined,
      contextWindow: index % 17 === 0 ? 1_500 : undefined,
      maxInFlight: 1,
      tags: index % 2 === 0 ? ['eu'] : [],
    }))],
  ];
  for (const [name, deployments] of shapes) {
    it(name, () => {
      for (const strategy of ['simple_shuffle', 'least_busy', 'usage_based'] as const) {
        const fromNative = drive('native', { strategy }, deployments, 5);
        expect(new Set(fromNative.filter((entry) => typeof entry === 'string')).size).toBeGreaterThan(2);
        expect(fromNative).toEqual(drive('fallback', { strategy }, deployments, 5));
      }
    });
  }

  it('cooldowns and usage set from outside (shared state) filter and rank alike', () => {
    const deployments: DeploymentConfig[] = Array.from({ length: 6 }, (_, index) => ({ id: `s${index}`, model: 'm', weight: 1 + index, rpm: 10, tpm: 5_000 }));
    const [fromNative, fromFallback] = (['native', 'fallback'] as const).map((engine) => {
      const clock = fakeClock(30_000);
      const router = createRouter({ engine, name: uniqueName(`agree-shared-${engine}`), seed: 9, clock: clock.now, strategy: 'usage_based', deployments });
      // The engine handle of this router (handles of deployments follow their order).
      const handle = (router as unknown as { handle: number }).handle;
      const seen: unknown[] = [router.engine.coolUntil(handle, 1, 100_000), router.engine.coolUntil(handle, 1, 35_000)];
      router.engine.setSharedUsage(handle, 2, 0, 10, 0);
      router.engine.setSharedUsage(handle, 3, 0, 2, 4_000);
      router.engine.setSharedUsage(handle, 4, 7, 10, 0);
      for (let step = 0; step < 40; step += 1) {
        clock.advance(400);
        const lease = router.acquire('m', { promptTokens: 200 });
        seen.push(typeof lease === 'string' ? lease : lease.deployment.id);
        if (typeof lease !== 'string') lease.succeed({ totalTokens: 150 });
      }
      seen.push(router.snapshot());
      router.close();
      return seen;
    }) as [unknown[], unknown[]];
    expect(fromNative.slice(0, 2)).toEqual([100_000, 0]);
    expect(fromNative).not.toContain('s1');
    expect(fromNative).not.toContain('s2');
    expect(fromNative).toContain('s4');
    expect(fromNative).toEqual(fromFallback);
  });
});

describe.skipIf(native instanceof Error)('native and TS engines agree across model groups', () => {
  // Each group draws from its own stream (seed + group * 0x9e3779b9), so both engines must agree
  // however calls on different groups interleave, and leases of every group end where they began.
  const models = ['a', 'b', 'c'];
  const deployments: DeploymentConfig[] = models.flatMap((model, m) =>
    Array.from({ length: 5 }, (_, index) => ({ id: `${model}${index}`, model, weight: index === 0 ? 0 : index + m, rpm: index === 2 ? 30 : undefined, maxInFlight: 2 })),
  );

  function interleave(engine: 'native' | 'fallback', strategy: RouterOptions['strategy'], seed: number): unknown[] {
    const clock = fakeClock();
    const router = createRouter({ engine, name: uniqueName(`agree-groups-${engine}`), seed, clock: clock.now, strategy, deployments });
    const script = new SeededRandom(seed + 11);
    const open: Exclude<ReturnType<typeof router.acquire>, string>[] = [];
    const seen: unknown[] = [];
    for (let step = 0; step < 900; step += 1) {
      clock.advance(script.nextIndex(300));
      const model = models[script.nextIndex(models.length)]!;
      const action = script.nextIndex(6);
      if (action < 3) {
        const lease = router.acquire(model);
        seen.push(typeof lease === 'string' ? lease : lease.deployment.id);
        if (typeof lease !== 'string') open.push(lease);
      } else if (action === 3) {
        const picked = router.pick(model);
        seen.push(typeof picked === 'string' ? picked : picked.id);
      } else if (open.length > 0) {
        const lease = open.splice(script.nextIndex(open.length), 1)[0]!;
        if (action === 4) lease.succeed({ outputTokens: 10 });
        else lease.fail(new HttpError(500, new Headers(), undefined));
      }
    }
    seen.push(router.snapshot());
    router.close();
    return seen;
  }

  for (const strategy of ['simple_shuffle', 'least_busy', 'latency_based'] as const) {
    it(`${strategy}, picks and leases on 3 groups interleaved at random`, () => {
      for (const seed of [1, 4_000_000_000]) {
        const fromNative = interleave('native', strategy, seed);
        expect(new Set(fromNative.filter((entry) => typeof entry === 'string')).size).toBeGreaterThan(9);
        expect(fromNative).toEqual(interleave('fallback', strategy, seed));
      }
    });
  }

  for (const engine of ['native', 'fallback'] as const) {
    it(`${engine}: picks on one group leave another group's draws unchanged`, () => {
      const sequence = (noise: boolean) => {
        const router = createRouter({ engine, name: uniqueName('streams'), seed: 21, deployments });
        const seen: string[] = [];
        for (let step = 0; step < 100; step += 1) {
          if (noise) for (let extra = 0; extra < step % 3; extra += 1) router.pick('a');
          const picked = router.pick('b');
          seen.push(typeof picked === 'string' ? picked : picked.id);
        }
        router.close();
        return seen;
      };
      expect(new Set(sequence(false)).size).toBeGreaterThan(2);
      expect(sequence(true)).toEqual(sequence(false));
    });
  }
});

describe('native router in CI', () => {
  it('loads unless the fallback is forced (a binary without the router fails CI)', () => {
    if (process.env['CI'] !== 'true' || process.env['TOLLGATE_BACKEND'] === 'fallback') return;
    expect(native).not.toBeInstanceOf(Error);
  });
});
