import { describe, expect, it } from 'vitest';
import { countTokens, countTokensAsync, encode, encodeAsync, getBackend } from '../src/index.js';
import { STAGE_PART_LENGTH, stageText } from '../src/native/stage-text.js';

/**
 * About 2.5 parts of real-looking text, with a surrogate pair straddling each part boundary (the
 * pair must not be split between parts), lone surrogates and CJK in between.
 */
function longText(): string {
  const words = 'Rate limits, token budgets and 速率限制 keep the bill honest: déjà vu 🧾 ';
  let text = words.repeat(Math.ceil((STAGE_PART_LENGTH * 2.5) / words.length));
  for (const boundary of [STAGE_PART_LENGTH, 2 * STAGE_PART_LENGTH]) {
    text = `${text.slice(0, boundary - 1)}🎯${text.slice(boundary + 1)}`;
  }
  return `${text}\ud800 lone \udc00 halves`;
}

describe(`async counting of texts longer than one staged part (backend ${getBackend()})`, () => {
  const text = longText();

  it('counts and encodes exactly like the sync calls', async () => {
    expect(text.charCodeAt(STAGE_PART_LENGTH - 1)).toBe(0xd83c);
    expect(await countTokensAsync(text)).toBe(countTokens(text));
    const [fromAsync, fromSync] = [await encodeAsync(text, { encoding: 'cl100k_base' }), encode(text, { encoding: 'cl100k_base' })];
    expect(fromAsync.length).toBe(fromSync.length);
    expect(Buffer.from(fromAsync.buffer).equals(Buffer.from(fromSync.buffer))).toBe(true);
  });

  it('hands the text over in parts that keep surrogate pairs whole, one per event-loop turn', async () => {
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const parts: { part: string; turn: number }[] = [];
    await stageText({ append: (part) => void parts.push({ part, turn: turns }) }, text, undefined);
    ticking = false;

    expect(parts.length).toBe(3);
    expect(parts.map(({ part }) => part).join('')).toBe(text);
    for (const { part } of parts) {
      expect(part.length).toBeLessThanOrEqual(STAGE_PART_LENGTH);
      const last = part.charCodeAt(part.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff && part !== parts.at(-1)!.part).toBe(false);
    }
    expect(parts[0]!.part.length).toBe(STAGE_PART_LENGTH - 1);
    expect(new Set(parts.map(({ turn }) => turn)).size).toBe(parts.length);
  });

  it('stops at once with ERR_ABORTED when aborted while the text is handed over', async () => {
    const controller = new AbortController();
    const pending = countTokensAsync(text, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});
