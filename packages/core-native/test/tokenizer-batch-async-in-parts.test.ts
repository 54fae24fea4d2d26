import { describe, expect, it } from 'vitest';
import { countTokensBatch, countTokensBatchAsync, getBackend } from '../src/index.js';
import { batchParts, STAGE_PART_LENGTH } from '../src/native/stage-text.js';

describe('batchParts cuts a batch into runs handed over one per event-loop turn', () => {
  it('covers every text once, in order, each run within the part length unless one text is longer', () => {
    const sizes = [3, 4, 0, 9, 2, 2, 2, 12, 1, 0];
    const texts = sizes.map((size) => 'x'.repeat(size));
    const parts = batchParts(texts, 8);
    expect(parts).toEqual([[0, 3], [3, 4], [4, 7], [7, 8], [8, 10]]);
    for (const [start, end] of parts) {
      const length = sizes.slice(start, end).reduce((total, size) => total + size, 0);
      expect(length <= 8 || end - start === 1).toBe(true);
    }
    expect(batchParts([], 8)).toEqual([]);
    expect(batchParts(['x'.repeat(20)], 8)).toEqual([[0, 1]]);
  });
});

describe(`countTokensBatchAsync on batches longer than one part (backend ${getBackend()})`, () => {
  const paragraph = 'Batches of prompts, 速率限制 and 🧾 receipts: each counted exactly. ';
  const long = paragraph.repeat(Math.ceil((STAGE_PART_LENGTH * 1.5) / paragraph.length));
  const small = Array.from({ length: 4_000 }, (_, index) => `${index}: ${paragraph.repeat(1 + (index % 30))}`);
  const texts = [...small.slice(0, 1_500), long, '', ...small.slice(1_500), 'tail 🎯'];

  it('answers exactly as countTokensBatch', async () => {
    expect(texts.reduce((total, text) => total + text.length, 0)).toBeGreaterThan(2 * STAGE_PART_LENGTH);
    const expected = countTokensBatch(texts, { encoding: 'o200k_base' });
    const counted = await countTokensBatchAsync(texts, { encoding: 'o200k_base' });
    expect(counted.length).toBe(texts.length);
    expect(Array.from(counted)).toEqual(Array.from(expected));
  });

  it('counts the texts as given at the call, though the caller reuses its array meanwhile', async () => {
    const given = ['a'.repeat(STAGE_PART_LENGTH), 'b '.repeat(STAGE_PART_LENGTH / 2), 'c '.repeat(100)];
    const expected = Array.from(countTokensBatch(given));
    const pending = countTokensBatchAsync(given);
    given.length = 0;
    given.push('zzz');
    expect(Array.from(await pending)).toEqual(expected);
  });

  it('rejects with ERR_ABORTED when aborted while the parts are handed over', async () => {
    const controller = new AbortController();
    const pending = countTokensBatchAsync(texts, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});
