import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nativeRouterEngine } from '../src/router/native-engine.js';
import type { RouterEngine } from '../src/router/engine.js';
import { createRouter } from '../src/router/index.js';
import { uniqueName } from './router-fixtures.js';

// The packed calls read their numbers from one I/O array per thread. The sources and the build of
// the package can both be loaded in one thread (an adapter importing the build while tests import
// the sources): both copies must write where the binding reads.
const built = new URL('../dist/router/native-engine.js', import.meta.url);
const native = nativeRouterEngine();

describe.skipIf(native instanceof Error || !existsSync(built))('the packed router calls with two copies of the module', () => {
  it('answer each copy from its own numbers, alternating', async () => {
    const { nativeRouterEngine: builtEngine } = (await import(built.href)) as { nativeRouterEngine: () => RouterEngine | Error };
    const other = builtEngine();
    if (other instanceof Error) throw other;
    const source = native as RouterEngine;
    expect(other).not.toBe(source);
    // Router A can only pick its second deployment (handle 1), router B only its first (handle 0).
    const a = createRouter({ engine: 'native', name: uniqueName('io-a'), seed: 1, deployments: [{ id: 'a0', model: 'm' }, { id: 'a1', model: 'm' }] });
    const b = createRouter({ engine: 'native', name: uniqueName('io-b'), seed: 1, deployments: [{ id: 'b0', model: 'n' }, { id: 'b1', model: 'n' }] });
    a.setHealthy('a0', false);
    b.setHealthy('b1', false);
    const handleOf = (router: unknown) => (router as { handle: number }).handle;
    const seen: number[] = [];
    for (let step = 0; step < 20; step += 1) {
      seen.push(source.pick(handleOf(a), 0, 1_000, 0, 0, false, null));
      seen.push(other.pick(handleOf(b), 0, 1_000, 0, 0, false, null));
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? 1 : 0)));
    a.close();
    b.close();
  });
});
