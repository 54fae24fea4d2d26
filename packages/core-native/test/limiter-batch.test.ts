import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createLimiter, createManualClock, type AcquireCost, type Lease, type Limiter, type LimiterKey, type LimiterOptions, type ManualClock } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';
import { randomSteps } from './support/random-steps.js';

// The backend is the one TOLLGATE_BACKEND selects (run the file with native and with fallback);
// the last test compares both backends directly.
const nativeLoads = !(loadNativeBinding() instanceof Error);


const NAMES = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'team', 'x\u0000y'];

interface Side {
  readonly limiter: Limiter;
  readonly handles: Map<string, LimiterKey>;
  readonly leases: Lease[];
}

/**
 * Runs one random script twice in lockstep: `batched` gets `tryAcquireMany`, `looped` the same
 * checks one `tryAcquire` at a time. Every answer is compared as it comes; returns the number
 * of checks compared and of keys evicted.
 */
async function lockstep(clock: ManualClock, batched: Side, looped: Side, seed: number): Promise<[checks: number, evicted: number]> {
  const next = randomSteps(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  let compared = 0;
  for (let step = 0; step < 400; step += 1) {
    const size = Math.floor(next() * 40);
    const choices = Array.from({ length: size }, () => [pick(NAMES), next() < 0.5] as const);
    const keysOf = (side: Side) => choices.map(([name, byHandle]) => (byHandle ? side.handles.get(name) ?? side.handles.set(name, side.limiter.key(name)).get(name)! : name));
    const mode = next();
    let costs: AcquireCost | AcquireCost[] | undefined;
    if (mode < 0.4) costs = choices.map(() => ({ requests: Math.floor(next() * 3), tokens: Math.floor(next() * 300) }));
    else if (mode < 0.8) costs = { requests: 1 + Math.floor(next() * 2), tokens: Math.floor(next() * 200) };
    const batchKeys = keysOf(batched);
    const loopKeys = keysOf(looped);
    const batch = batched.limiter.tryAcquireMany(batchKeys, costs);
    expect(batch.size).toBe(size);
    for (let index = 0; index < size; index += 1) {
      const cost = Array.isArray(costs) ? costs[index] : costs;
      const single = looped.limiter.tryAcquire(loopKeys[index]!, cost);
      const answer = batch.decision(index);
      expect([answer.allowed, answer.retryAfterMs, answer.remaining, answer.limitedBy], `step ${step} check ${index}`).toEqual([
        single.allowed,
        single.retryAfterMs,
        single.remaining,
        single.limitedBy,
      ]);
      expect(batch.allowed[index]).toBe(single.allowed ? 1 : 0);
      expect(Array.from(batch.remaining.subarray(index * batch.labels.length, (index + 1) * batch.labels.length))).toEqual(Object.values(single.remaining));
      if (single.lease !== undefined) {
        looped.leases.push(single.lease);
        batched.leases.push(batch.lease(index)!);
      }
      compared += 1;
    }
    const action = next();
    if (action < 0.3 && looped.leases.length > 0) {
      const at = Math.floor(next() * looped.leases.length);
      expect(batched.leases.splice(at, 1)[0]!.release()).toBe(looped.leases.splice(at, 1)[0]!.release());
    } else if (action < 0.45 && looped.leases.length > 0) {
      const at = Math.floor(next() * looped.leases.length);
      const tokens = Math.floor(next() * 400);
      batched.leases[at]!.settle({ tokens });
      looped.leases[at]!.settle({ tokens });
    } else if (action < 0.5) {
      expect(batched.limiter.evictIdle()).toBe(looped.limiter.evictIdle());
    }
    await clock.advance(Math.floor(next() * (next() < 0.1 ? 4000 : 900)));
  }
  // Counters agree exactly; byte counts depend on how each table grew, so they are left out.
  const { approximateBytes: batchedBytes, ...batchedStats } = batched.limiter.stats();
  const { approximateBytes: loopedBytes, ...loopedStats } = looped.limiter.stats();
  expect(batchedStats).toEqual(loopedStats);
  expect(batchedBytes > 0 && loopedBytes > 0).toBe(true);
  return [compared, batchedStats.evicted];
}

const configurations: [string, LimiterOptions][] = [
  ['short windows, so idle keys are evicted and handles go stale', { requestsPerSecond: 3, tokensPerSecond: 500 }],
  ['windows', { requestsPerSecond: 6, tokensPerMinute: 5000, tokensPerHour: 40_000 }],
  ['a bucket and in flight', { limits: [{ type: 'bucket', measure: 'tokens', capacity: 800, refillPerSecond: 37.5 }], maxInFlight: 3, leaseTimeoutMs: 4000 }],
  ['everything', { requestsPerMinute: 80, tokensPerDay: 100_000, limits: [{ type: 'bucket', measure: 'requests', capacity: 4, refillPerSecond: 0.7 }], maxInFlight: 5 }],
];

const side = (limiter: Limiter): Side => ({ limiter, handles: new Map(), leases: [] });

describe('tryAcquireMany answers like a loop of tryAcquire', () => {
  it.each(configurations)('on random scripts over %s (names, handles, stale handles, leases, settles)', async (_, options) => {
    for (const seed of [7, 8, 9]) {
      const clock = createManualClock(5_000_000);
      const batched = side(createLimiter({ ...options, clock }));
      const looped = side(createLimiter({ ...options, clock }));
      const [checks, evicted] = await lockstep(clock, batched, looped, seed);
      expect(checks).toBeGreaterThan(5000);
      if (options.tokensPerSecond !== undefined) expect(evicted).toBeGreaterThan(0);
      batched.limiter.close();
      looped.limiter.close();
    }
  });

  it('checks run in order: a key named twice sees what the earlier check took', () => {
    const limiter = createLimiter({ requestsPerMinute: 2, clock: createManualClock() });
    const batch = limiter.tryAcquireMany(['a', 'b', 'a', 'a', 'b']);
    expect(Array.from(batch.allowed)).toEqual([1, 1, 1, 0, 1]);
    expect(batch.admitted).toBe(4);
    expect(batch.limitedBy(3)).toBe('requestsPerMinute');
    expect(batch.retryAfterMs[3]).toBeGreaterThan(0);
    expect(Array.from(batch.remaining)).toEqual([1, 1, 0, 0, 0]);
  });

  it('with an in-flight limit, batch leases hold slots until released', () => {
    const limiter = createLimiter({ maxInFlight: 2, clock: createManualClock() });
    const key = limiter.key('k');
    const batch = limiter.tryAcquireMany([key, key, key]);
    expect(Array.from(batch.allowed)).toEqual([1, 1, 0]);
    expect(batch.lease(2)).toBeUndefined();
    expect(batch.lease(0)).toBe(batch.lease(0));
    expect(limiter.tryAcquire(key).allowed).toBe(false);
    expect(batch.lease(0)!.release()).toBe(true);
    expect(limiter.tryAcquire(key).allowed).toBe(true);
  });

  it('a batch of 1,000 new keys admits each once and grows the buffer', () => {
    const limiter = createLimiter({ requestsPerMinute: 1, tokensPerMinute: 10, clock: createManualClock() });
    const keys = Array.from({ length: 1000 }, (_, index) => `tenant:${index}`);
    const first = limiter.tryAcquireMany(keys, { tokens: 3 });
    expect(first.admitted).toBe(1000);
    expect(limiter.stats().keys).toBe(1000);
    const again = limiter.tryAcquireMany(keys);
    expect(again.admitted).toBe(0);
    expect(again.remaining[1999]).toBe(7);
    expect(limiter.tryAcquireMany([]).size).toBe(0);
  });
});

describe('batch answers outlive later batches', () => {
  it('an early batch keeps its answers while thousands of later batches fill new answer blocks', () => {
    const limiter = createLimiter({ requestsPerMinute: 100_000, tokensPerMinute: 1_000_000 });
    const first = limiter.tryAcquireMany(['a', 'b', 'c'], { tokens: 10 });
    const remainingBefore = Array.from(first.remaining);
    expect(remainingBefore).toEqual([99_999, 999_990, 99_999, 999_990, 99_999, 999_990]);
    // 3,000 batches of 40 checks write 3,000 x 40 x 8 values: several 65,536-value blocks.
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    let last = first;
    for (let round = 0; round < 3_000; round += 1) last = limiter.tryAcquireMany(keys, { requests: 1, tokens: round % 7 });
    expect(Array.from(first.remaining)).toEqual(remainingBefore);
    expect(Array.from(first.allowed)).toEqual([1, 1, 1]);
    expect(first.lease(2)).toBeDefined();
    expect(last.admitted).toBe(40);
    expect(last.remaining[0]).toBe(100_000 - 3_000);
    limiter.close();
  });
});

describe('tryAcquireMany rejects bad input with typed errors and takes nothing', () => {
  const other = createLimiter({ requestsPerMinute: 3 });
  const cases: [string, (limiter: Limiter) => unknown, string, string][] = [
    ['keys that are not an array', (limiter) => limiter.tryAcquireMany('a' as never), 'ERR_INVALID_ARGUMENT', 'keys'],
    ['an empty key', (limiter) => limiter.tryAcquireMany(['a', 'b', '']), 'ERR_INVALID_ARGUMENT', 'keys[2]'],
    ['a key of another limiter', (limiter) => limiter.tryAcquireMany(['a', other.key('a')]), 'ERR_INVALID_ARGUMENT', 'keys[1]'],
    ['a number as key', (limiter) => limiter.tryAcquireMany([5 as never]), 'ERR_INVALID_ARGUMENT', 'keys[0]'],
    ['too many keys', (limiter) => limiter.tryAcquireMany(new Array<string>(100_001).fill('a')), 'ERR_INVALID_ARGUMENT', 'keys'],
    ['costs of another length', (limiter) => limiter.tryAcquireMany(['a', 'b'], [{ tokens: 1 }]), 'ERR_INVALID_ARGUMENT', 'costs'],
    ['a bad cost in the list', (limiter) => limiter.tryAcquireMany(['a', 'b'], [{}, { tokens: -1 }]), 'ERR_INVALID_ARGUMENT', 'costs[1].tokens'],
    ['a bad shared cost', (limiter) => limiter.tryAcquireMany(['a'], { requests: 1.5 }), 'ERR_INVALID_ARGUMENT', 'costs.requests'],
    ['a cost over a whole capacity', (limiter) => limiter.tryAcquireMany(['a', 'b'], [{ tokens: 5 }, { tokens: 101 }]), 'ERR_COST_EXCEEDS_CAPACITY', 'tokensPerMinute'],
    ['a shared cost over a whole capacity', (limiter) => limiter.tryAcquireMany(['a'], { requests: 4 }), 'ERR_COST_EXCEEDS_CAPACITY', 'requestsPerMinute'],
  ];

  it.each(cases)('%s', (_, call, code, field) => {
    const limiter = createLimiter({ requestsPerMinute: 3, tokensPerMinute: 100, clock: createManualClock() });
    expect(() => call(limiter)).toThrow(expect.objectContaining({ code, field }));
    expect(limiter.tryAcquireMany(['a', 'b']).decision(1).remaining).toEqual({ requestsPerMinute: 2, tokensPerMinute: 100 });
    expect(limiter.stats()).toMatchObject({ admitted: 2, refused: 0 });
    limiter.close();
  });

  it('names the check in the message, and a closed limiter or an index out of range are typed errors', () => {
    const fresh = createLimiter({ tokensPerMinute: 100 });
    expect(() => fresh.tryAcquireMany(['a', 'b'], [{}, { tokens: 101 }])).toThrow('Expected `costs[1].tokens` to fit within `tokensPerMinute` (capacity 100), got 101.');
    const batch = fresh.tryAcquireMany(['a']);
    expect(() => batch.isAllowed(1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'index' }));
    fresh.close();
    expect(() => fresh.tryAcquireMany(['a'])).toThrow(expect.objectContaining({ code: 'ERR_LIMITER_CLOSED' }));
  });
});

describe.skipIf(!nativeLoads)('native and fallback batches agree', () => {
  it('on a random script with both backends side by side', async () => {
    const clock = createManualClock(1_000_000);
    const options = configurations[2]![1];
    const native = side(createLimiter({ ...options, clock, backend: 'native' }));
    const fallback = side(createLimiter({ ...options, clock, backend: 'fallback' }));
    expect((await lockstep(clock, native, fallback, 11))[0]).toBeGreaterThan(5000);
  });
});

// Each worker registers tsx, attaches to the named native limiter and runs batches over two keys.
const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
const workerCode = `
  const { register } = await import(${JSON.stringify(tsxApi)});
  register();
  const { parentPort, workerData } = await import('node:worker_threads');
  const { createLimiter } = await import(workerData.module);
  const limiter = createLimiter({ name: workerData.name, requestsPerHour: workerData.limit, backend: 'native' });
  const keys = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? 'shared' : limiter.key('other')));
  parentPort.postMessage('ready');
  Atomics.wait(new Int32Array(workerData.start), 0, 0);
  let admitted = 0;
  for (let round = 0; round < 200; round += 1) admitted += limiter.tryAcquireMany(keys).admitted;
  parentPort.postMessage(admitted);
`;

describe.skipIf(!nativeLoads || process.env['TOLLGATE_BACKEND'] === 'fallback')('batches from worker threads', () => {
  it('8 worker threads x 10,000 batched tries on two keys admit exactly the limit of each', async () => {
    const name = `batch-workers-${process.pid}-${Date.now()}`;
    const limit = 3_333;
    const start = new SharedArrayBuffer(4);
    const module = new URL('../src/limiter/index.ts', import.meta.url).href;
    const workers = Array.from({ length: 8 }, () => new Worker(workerCode, { eval: true, workerData: { name, limit, start, module } }));
    const answers = workers.map(
      (worker) =>
        new Promise<number[]>((resolve, reject) => {
          const seen: unknown[] = [];
          worker.on('message', (message) => seen.push(message) === 2 && resolve(seen as number[]));
          worker.once('error', reject);
        }),
    );
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
    const admitted = (await Promise.all(answers)).map((seen) => seen[1]!);
    await Promise.all(workers.map((worker) => worker.terminate()));

    expect(admitted.reduce((sum, count) => sum + count, 0)).toBe(2 * limit);
    const main = createLimiter({ name, requestsPerHour: limit, backend: 'native' });
    expect(main.stats()).toMatchObject({ keys: 2, admitted: 2 * limit, refused: 80_000 - 2 * limit });
    expect(main.tryAcquireMany(['shared', 'other']).admitted).toBe(0);
    main.close();
  });
});
