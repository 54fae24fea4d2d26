import { describe, expect, it } from 'vitest';

import { getBackend, getNativeLoadError } from '../src/index.js';

describe('backend selection', () => {
  it('uses the backend that TOLLGATE_BACKEND forces', () => {
    const forced = process.env['TOLLGATE_BACKEND'];
    if (forced === 'native' || forced === 'fallback') expect(getBackend()).toBe(forced);
    else expect(['native', 'fallback']).toContain(getBackend());
  });

  it('runs on the native core in CI unless the fallback is forced (a missing binary fails CI)', () => {
    if (process.env['CI'] !== 'true' || process.env['TOLLGATE_BACKEND'] === 'fallback') return;
    expect(getNativeLoadError()).toBeUndefined();
    expect(getBackend()).toBe('native');
  });
});
