import { describe, expect, it } from 'vitest';

import { countTokens, getBackend, isWithinTokenLimit } from '../src/index.js';

// Guards against a hang or a stack overflow only; speed is measured in bench/.
describe(`long inputs finish (backend ${getBackend()})`, () => {
  it.each(['a', '.', ' ', '\n', '1', 'é', '日', '👍'])('a run of 1,000,000 × %j', (unit) => {
    const count = countTokens(unit.repeat(1_000_000), { encoding: 'o200k_base' });
    expect(count).toBeGreaterThan(0);
  }, 120_000);

  it('cl100k on a 1,000,000-letter run gives the tiktoken count (1 token per 8 letters)', () => {
    expect(countTokens('a'.repeat(1_000_000), { encoding: 'cl100k_base' })).toBe(125_000);
  }, 120_000);

  it('a 100 MB string gets a correct answer', () => {
    const unit = 'The quick brown fox jumps over the lazy dog. ';
    const size = getBackend() === 'native' ? 100 * 1024 * 1024 : 16 * 1024 * 1024;
    const units = Math.ceil(size / unit.length);
    // Counts grow by a fixed step per unit once the text holds more than one unit.
    const step = countTokens(unit.repeat(65)) - countTokens(unit.repeat(64));
    const expected = countTokens(unit.repeat(64)) + step * (units - 64);
    const text = unit.repeat(units);
    expect(countTokens(text)).toBe(expected);
    expect(isWithinTokenLimit(text, 1000)).toBe(false);
  }, 300_000);
});
