import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/limiter/index.js';
import { loadNativeBinding } from '../src/native/binding.js';

// A single check writes its numbers into one output array per thread, where the binding reads
// them. The sources and the build of the package can both be loaded in one thread: both copies
// must write where the binding reads, or one copy's check runs on the other's numbers.
const built = new URL('../dist/limiter/index.js', import.meta.url);
const nativeLoads = !(loadNativeBinding() instanceof Error);

describe.skipIf(!nativeLoads || !existsSync(built))('native limiter checks with two copies of the module in one thread', () => {
  it('answer each copy for its own limiter and key, alternating', async () => {
    const { createLimiter: createBuilt } = (await import(built.href)) as { createLimiter: typeof createLimiter };
    const strict = createLimiter({ backend: 'native', requestsPerMinute: 1 });
    const loose = createBuilt({ backend: 'native', requestsPerMinute: 1000 });
    const answers: boolean[] = [];
    for (let round = 0; round < 4; round += 1) {
      answers.push(loose.tryAcquire('loose-key').allowed);
      answers.push(strict.tryAcquire('strict-key').allowed);
    }
    expect(answers).toEqual([true, true, true, false, true, false, true, false]);
    expect(strict.stats()).toMatchObject({ admitted: 1, refused: 3 });
    expect(loose.stats()).toMatchObject({ admitted: 4, refused: 0 });
    const batch = createBuilt({ backend: 'native', requestsPerMinute: 1 }).tryAcquireMany(['a', 'b']);
    expect(createLimiter({ backend: 'native', requestsPerMinute: 1 }).tryAcquireMany(['c', 'd', 'e']).admitted).toBe(3);
    expect(batch.admitted).toBe(2);
  });
});
