import { describe, expect, it } from 'vitest';
import { createRouter, type DeploymentConfig, type RouterOptions } from '../src/router/index.js';
import { ENGINES, fakeClock, uniqueName } from './router-fixtures.js';

const share = (counts: Map<string, number>, id: string, total: number) => (counts.get(id) ?? 0) / total;

describe.each(ENGINES)('strategies and filters (%s engine)', (engine) => {
  const build = (deployments: DeploymentConfig[], options: Partial<RouterOptions> = {}) => {
    const clock = fakeClock();
    const router = createRouter({ engine, name: uniqueName('strategy'), seed: 11, clock: clock.now, deployments, ...options });
    return { router, clock };
  };
  const tally = (router: ReturnType<typeof build>['router'], picks: number, model = 'm') => {
    const counts = new Map<string, number>();
    for (let index = 0; index < picks; index += 1) {
      const chosen = router.pick(model);
      const id = typeof chosen === 'string' ? chosen : chosen.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  it('simple_shuffle follows weight, else rpm, else tpm, else uniform', () => {
    const weighted = build([{ id: 'a', model: 'm', weight: 1 }, { id: 'b', model: 'm', weight: 3 }]).router;
    expect(share(tally(weighted, 20_000), 'b', 20_000)).toBeCloseTo(0.75, 1);
    const byRpm = build([{ id: 'a', model: 'm', rpm: 900_000 }, { id: 'b', model: 'm', rpm: 100_000 }]).router;
    expect(share(tally(byRpm, 20_000), 'a', 20_000)).toBeCloseTo(0.9, 1);
    const byTpm = build([{ id: 'a', model: 'm', tpm: 1e9 }, { id: 'b', model: 'm', tpm: 3e9 }]).router;
    expect(share(tally(byTpm, 20_000), 'b', 20_000)).toBeCloseTo(0.75, 1);
    const uniform = build([{ id: 'a', model: 'm' }, { id: 'b', model: 'm' }]).router;
    expect(share(tally(uniform, 20_000), 'a', 20_000)).toBeCloseTo(0.5, 1);
  });

  it('least_busy picks the deployment with fewest calls in flight and breaks ties at random', () => {
    const { router } = build([{ id: 'a', model: 'm' }, { id: 'b', model: 'm' }, { id: 'c', model: 'm' }], { strategy: 'least_busy' });
    const first = router.acquire('m');
    const second = router.acquire('m');
    if (typeof first === 'string' || typeof second === 'string') throw new Error('expected leases');
    expect(first.deployment.id).not.toBe(second.deployment.id);
    const free = ['a', 'b', 'c'].find((id) => id !== first.deployment.id && id !== second.deployment.id);
    expect(router.pick('m')).toMatchObject({ id: free });
    first.succeed();
    second.succeed();
    const counts = tally(router, 3_000);
    for (const id of ['a', 'b', 'c']) expect(share(counts, id, 3_000)).toBeGreaterThan(0.25);
  });

  it('latency_based prefers low latency per token, spreads over near-best candidates, and ranks streams by time to first token', () => {
    const { router, clock } = build(
      [{ id: 'fast', model: 'm' }, { id: 'close', model: 'm' }, { id: 'slow', model: 'm' }],
      { strategy: 'latency_based', nearBestBuffer: 0.2 },
    );
    const observe = (id: string, latencyMs: number, firstTokenMs: number) => {
      const lease = router.acquire('m', { exclude: ['fast', 'close', 'slow'].filter((other) => other !== id) });
      if (typeof lease === 'string') throw new Error('expected a lease');
      clock.advance(firstTokenMs);
      lease.markFirstToken();
      clock.advance(latencyMs - firstTokenMs);
      lease.succeed({ outputTokens: 10, totalTokens: 20 });
    };
    observe('fast', 100, 90);
    observe('close', 110, 50);
    observe('slow', 500, 10);
    const counts = tally(router, 2_000);
    expect(counts.get('slow') ?? 0).toBe(0);
    expect(share(counts, 'fast', 2_000)).toBeGreaterThan(0.3);
    expect(share(counts, 'close', 2_000)).toBeGreaterThan(0.3);
    expect(router.pick('m', { stream: true })).toMatchObject({ id: 'slow' });
    expect(router.snapshot().find((row) => row.id === 'fast')).toMatchObject({ timeToFirstTokenMs: 90, tokensPerSecond: 100 });
  });

  it('cost_based picks the cheapest per token and ranks unknown prices last', () => {
    const { router } = build(
      [
        { id: 'unknown', model: 'm' },
        { id: 'dear', model: 'm', inputCostPerToken: 5e-6, outputCostPerToken: 15e-6 },
        { id: 'cheap', model: 'm', inputCostPerToken: 1e-7, outputCostPerToken: 4e-7 },
      ],
      { strategy: 'cost_based' },
    );
    expect(router.pick('m')).toMatchObject({ id: 'cheap' });
    expect(router.pick('m', { exclude: ['cheap'] })).toMatchObject({ id: 'dear' });
  });

  it('usage_based picks the lowest usage this minute that stays under rpm and tpm', () => {
    const { router, clock } = build([{ id: 'a', model: 'm', tpm: 1_000 }, { id: 'b', model: 'm', tpm: 10_000 }], { strategy: 'usage_based' });
    const lease = router.acquire('m', { promptTokens: 800, exclude: ['b'] });
    if (typeof lease === 'string') throw new Error('expected a lease');
    expect(router.pick('m', { promptTokens: 10 })).toMatchObject({ id: 'b' });
    lease.succeed({ totalTokens: 900 });
    const onB = router.acquire('m', { exclude: ['a'], promptTokens: 950 });
    if (typeof onB === 'string') throw new Error('expected a lease');
    onB.succeed({ totalTokens: 950 });
    expect(router.pick('m', { promptTokens: 200 })).toMatchObject({ id: 'b' });
    clock.advance(60_000);
    expect(router.snapshot().every((row) => row.tokensThisMinute === 0)).toBe(true);
  });

  it('power-of-two choices avoids a deployment whose calls have been running long', () => {
    const { router, clock } = build([{ id: 'a', model: 'm' }, { id: 'b', model: 'm' }], { powerOfTwoChoices: true });
    const stuck = router.acquire('m', { exclude: ['b'] });
    clock.advance(30_000);
    const recent = router.acquire('m', { exclude: ['a'] });
    if (typeof stuck === 'string' || typeof recent === 'string') throw new Error('expected leases');
    clock.advance(10);
    expect(tally(router, 200).get('b')).toBe(200);
    stuck.release();
    recent.release();
  });

  it('filters: context window, tags, rpm, max in flight, headroom and health', () => {
    const { router } = build([
      { id: 'small', model: 'm', contextWindow: 1_000, tags: ['eu'] },
      { id: 'big', model: 'm', contextWindow: 100_000, rpm: 1, maxInFlight: 1 },
    ]);
    expect(router.pick('m', { promptTokens: 5_000, maxOutputTokens: 100 })).toMatchObject({ id: 'big' });
    expect(router.pick('m', { promptTokens: 200_000 })).toBe('context_window');
    expect(router.pick('m', { tags: ['eu'] })).toMatchObject({ id: 'small' });
    expect(router.pick('m', { tags: ['unknown-tag'] })).toBe('none_available');
    const lease = router.acquire('m', { promptTokens: 5_000 });
    if (typeof lease === 'string') throw new Error('expected a lease');
    expect(router.pick('m', { promptTokens: 5_000 })).toBe('none_available');
    lease.succeed();
    expect(router.pick('m', { promptTokens: 5_000 })).toBe('none_available');
    router.setHeadroom('small', { tokens: 10 });
    expect(router.pick('m', { promptTokens: 100 })).toBe('none_available');
    router.setHeadroom('small', {});
    router.setHealthy('small', false);
    expect(router.pick('m')).toBe('none_available');
    router.setHealthy('small', true);
    expect(router.pick('m')).toMatchObject({ id: 'small' });
  });

  it('rejects bad options with a typed error naming the field', () => {
    expect(() => build([{ id: 'a', model: 'm', weight: -1 }])).toThrow(/deployments\[0\]\.weight/);
    expect(() => build([{ id: 'a', model: 'm' }], { strategy: 'fastest' as never })).toThrow(/strategy/);
    expect(() => build([{ id: 'a', model: 'm' }, { id: 'a', model: 'm' }])).toThrow(/deployments\[1\]\.id/);
    expect(() => build([{ id: 'a', model: 'm' }]).router.pick('nope')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_MODEL' }));
  });
});
