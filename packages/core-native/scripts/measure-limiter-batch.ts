// Per-check cost of the limiter: single checks against batches, native against the TS fallback
// and rate-limiter-flexible (memory). A quick, standalone look; the bench suite is the reference.
// Run from packages/core-native:
//   pnpm exec tsx --conditions=tollgate-source scripts/measure-limiter-batch.ts
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createLimiter, type Limiter } from '../src/limiter/index.js';

const NEVER_REFUSED = 4_000_000_000;
const ROUNDS = 15;
const keys50 = Array.from({ length: 50 }, (_, index) => `user:${index}`);
const keys1000 = Array.from({ length: 1000 }, (_, index) => `tenant:${index}`);

/** One contender: a run of `checks` checks. */
interface Contender {
  readonly name: string;
  readonly checks: number;
  readonly run: () => unknown;
}

/** ns per check of one sample: repeats `run` for about 20 ms. */
async function sample({ checks, run }: Contender): Promise<number> {
  let repeats = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    await run();
    repeats += 1;
    elapsed = process.hrtime.bigint() - started;
  } while (elapsed < 20_000_000n);
  return Number(elapsed) / (repeats * checks);
}

function limiter(backend: 'native' | 'fallback'): Limiter {
  return createLimiter({ backend, requestsPerMinute: NEVER_REFUSED });
}

function expectAllAllowed(admitted: number, size: number): void {
  if (admitted !== size) throw new Error(`expected every check admitted, got ${admitted} of ${size}`);
}

function contenders(): Contender[] {
  const list: Contender[] = [];
  for (const backend of ['native', 'fallback'] as const) {
    const shared = limiter(backend);
    const handles = keys50.map((key) => shared.key(key));
    list.push({ name: `${backend} single, 50 string keys`, checks: 50, run: () => keys50.forEach((key) => shared.tryAcquire(key)) });
    list.push({ name: `${backend} single, 50 handles`, checks: 50, run: () => handles.forEach((key) => shared.tryAcquire(key)) });
    list.push({ name: `${backend} batch of 50 string keys`, checks: 50, run: () => expectAllAllowed(shared.tryAcquireMany(keys50).admitted, 50) });
    list.push({ name: `${backend} batch of 50 handles`, checks: 50, run: () => expectAllAllowed(shared.tryAcquireMany(handles).admitted, 50) });
    list.push({ name: `${backend} batch of 1,000 string keys`, checks: 1000, run: () => expectAllAllowed(shared.tryAcquireMany(keys1000).admitted, 1000) });
    // memory_pressure_rate_limit: a new limiter, then one check on each of 1,000 new keys.
    list.push({
      name: `${backend} new limiter + 1,000 new keys, single`,
      checks: 1000,
      run: () => {
        const fresh = limiter(backend);
        for (const key of keys1000) fresh.tryAcquire(key);
        fresh.close();
      },
    });
    list.push({
      name: `${backend} new limiter + 1,000 new keys, batch`,
      checks: 1000,
      run: () => {
        const fresh = limiter(backend);
        expectAllAllowed(fresh.tryAcquireMany(keys1000).admitted, 1000);
        fresh.close();
      },
    });
  }
  const flexible = new RateLimiterMemory({ points: NEVER_REFUSED, duration: 60 });
  list.push({
    name: 'rate-limiter-flexible (memory), 50 keys',
    checks: 50,
    run: async () => {
      for (const key of keys50) await flexible.consume(key, 1);
    },
  });
  list.push({
    name: 'rate-limiter-flexible (memory), new limiter + 1,000 new keys',
    checks: 1000,
    run: async () => {
      const fresh = new RateLimiterMemory({ points: NEVER_REFUSED, duration: 60 });
      for (const key of keys1000) await fresh.consume(key, 1);
    },
  });
  return list;
}

async function main(): Promise<void> {
  const list = contenders();
  const samples = list.map((): number[] => []);
  // Rounds interleave the contenders, so a burst of load on the machine hits them all alike.
  for (let round = 0; round < ROUNDS + 2; round += 1) {
    for (const [index, contender] of list.entries()) {
      const ns = await sample(contender);
      if (round >= 2) samples[index]!.push(ns);
    }
  }
  const width = Math.max(...list.map(({ name }) => name.length));
  process.stdout.write(`${'row'.padEnd(width)}  ns/check: median   min  (${ROUNDS} interleaved rounds of 20 ms)\n`);
  list.forEach(({ name }, index) => {
    const sorted = samples[index]!.sort((left, right) => left - right);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    process.stdout.write(`${name.padEnd(width)}  ${median.toFixed(1).padStart(15)} ${sorted[0]!.toFixed(1).padStart(6)}\n`);
  });
}

await main();
