import { describe, expect, it } from 'vitest';

import {
  countTokens,
  countTokensAsync,
  countTokensBatch,
  countTokensBatchAsync,
  decode,
  encode,
  encodeAsync,
  getBackend,
  getEncodingNameForModel,
  isWithinTokenLimit,
  TollgateError,
} from '../src/index.js';

function codeOf(body: () => unknown): string | undefined {
  try {
    body();
  } catch (error) {
    return TollgateError.isInstance(error) ? error.code : `not a TollgateError: ${String(error)}`;
  }
  return undefined;
}

describe(`tokenizer API (backend ${getBackend()})`, () => {
  it('counts special-token text as ordinary text by default and never throws', () => {
    const text = 'file ends here <|endoftext|> and goes on';
    expect(encode(text, { model: 'gpt-4' })).not.toContain(100257);
    expect(countTokens(text, { model: 'gpt-4' })).toBeGreaterThan(10);
  });

  it('allows special tokens on request, by name or all', () => {
    const text = 'a<|endoftext|>b<|fim_prefix|>';
    expect(Array.from(encode(text, { encoding: 'cl100k_base', allowedSpecial: 'all' }))).toEqual([64, 100257, 65, 100258]);
    const onlyEnd = Array.from(encode(text, { encoding: 'cl100k_base', allowedSpecial: ['<|endoftext|>'] }));
    expect(onlyEnd.slice(0, 3)).toEqual([64, 100257, 65]);
    expect(onlyEnd).not.toContain(100258);
    expect(codeOf(() => encode(text, { encoding: 'cl100k_base', allowedSpecial: ['<|nope|>'] }))).toBe('ERR_UNKNOWN_SPECIAL_TOKEN');
  });

  it('decodes what it encodes, including split characters and specials', () => {
    const text = 'Grüße, 世界! 👨‍👩‍👧 <|endoftext|>';
    for (const encoding of ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const) {
      expect(decode(encode(text, { encoding }), { encoding })).toBe(text);
      expect(decode(Array.from(encode(text, { encoding, allowedSpecial: 'all' })), { encoding })).toBe(text);
    }
    expect(decode([9468], { encoding: 'cl100k_base' })).toBe('\ufffd');
  });

  it('rejects token ids that are not in the encoding, naming the first', () => {
    const error = (() => {
      try {
        decode([15339, 50256, 300000], { encoding: 'cl100k_base' });
      } catch (e) {
        return e as TollgateError;
      }
    })();
    expect(error?.code).toBe('ERR_INVALID_TOKEN_ID');
    expect(error?.field).toBe('ids[2]');
    expect(codeOf(() => decode([50256], { encoding: 'p50k_base' }))).toBeUndefined();
    expect(codeOf(() => decode([-1] as number[], { encoding: 'o200k_base' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => decode([1.5], { encoding: 'o200k_base' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => decode('abc' as unknown as number[]))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('gives typed errors for bad input', () => {
    expect(codeOf(() => countTokens(42 as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => countTokens(undefined as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => countTokens('x', { model: 'no-such-model-xyz' }))).toBe('ERR_UNKNOWN_MODEL');
    expect(codeOf(() => countTokens('x', { encoding: 'gpt9_base' as never }))).toBe('ERR_UNKNOWN_ENCODING');
    expect(codeOf(() => countTokensBatch(['a', 3 as unknown as string]))).toBe('ERR_INVALID_ARGUMENT');
    expect(codeOf(() => isWithinTokenLimit('a', -1))).toBe('ERR_INVALID_ARGUMENT');
    expect(countTokens('hello', { model: 'no-such-model-xyz', defaultEncoding: 'cl100k_base' })).toBe(1);
  });

  it('maps models to encodings', () => {
    expect(getEncodingNameForModel('gpt-4o-2024-08-06')).toBe('o200k_base');
    expect(getEncodingNameForModel('gpt-3.5-turbo')).toBe('cl100k_base');
    expect(getEncodingNameForModel('text-embedding-3-small')).toBe('cl100k_base');
    expect(getEncodingNameForModel('o3-mini')).toBe('o200k_base');
  });

  it('stops early in isWithinTokenLimit', () => {
    const text = 'word '.repeat(1000);
    expect(isWithinTokenLimit(text, 10)).toBe(false);
    expect(isWithinTokenLimit(text, 5000)).toBe(countTokens(text));
    expect(isWithinTokenLimit('', 0)).toBe(0);
  });

  it('counts batches like single texts, in order', async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `text number ${i} `.repeat(i % 17));
    const expected = texts.map((t) => countTokens(t, { model: 'gpt-4o' }));
    expect(Array.from(countTokensBatch(texts, { model: 'gpt-4o' }))).toEqual(expected);
    expect(Array.from(await countTokensBatchAsync(texts, { model: 'gpt-4o' }))).toEqual(expected);
    expect(Array.from(countTokensBatch([]))).toEqual([]);
  });

  it('async variants give the same answers', async () => {
    const text = 'The quick brown fox. '.repeat(5000);
    expect(await countTokensAsync(text)).toBe(countTokens(text));
    expect(Array.from(await encodeAsync(text, { encoding: 'cl100k_base' }))).toEqual(Array.from(encode(text, { encoding: 'cl100k_base' })));
  });

  it('async variants reject with ERR_ABORTED on abort, before or during the work', async () => {
    const already = AbortSignal.abort();
    await expect(countTokensAsync('hello', { signal: already })).rejects.toMatchObject({ code: 'ERR_ABORTED' });

    const controller = new AbortController();
    const big = 'lorem ipsum dolor sit amet '.repeat(400_000);
    const pending = countTokensAsync(big, { signal: controller.signal });
    setTimeout(() => controller.abort(), 1);
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });

    const batchController = new AbortController();
    const batch = countTokensBatchAsync(Array.from({ length: 2000 }, () => big.slice(0, 20_000)), { signal: batchController.signal });
    batchController.abort(new Error('caller gave up'));
    await expect(batch).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('counts unpaired surrogates as U+FFFD', () => {
    expect(Array.from(encode('a\ud800b', { encoding: 'cl100k_base' }))).toEqual(Array.from(encode('a\ufffdb', { encoding: 'cl100k_base' })));
  });
});

describe('hostile input found in review', () => {
  it('checks defaultEncoding even without a model', () => {
    expect(codeOf(() => countTokens('x', { defaultEncoding: '../../evil' as never }))).toBe('ERR_UNKNOWN_ENCODING');
    expect(codeOf(() => countTokens('x', { defaultEncoding: 'gpt9' as never }))).toBe('ERR_UNKNOWN_ENCODING');
  });

  it('does not let a cached answer skip validation of look-alike options', () => {
    countTokens('x', { encoding: 'cl100k_base', allowedSpecial: ['<|endoftext|>', '<|endofprompt|>'] });
    expect(codeOf(() => countTokens('x', { encoding: 'cl100k_base', allowedSpecial: ['<|endoftext|>\u0001<|endofprompt|>'] }))).toBe('ERR_UNKNOWN_SPECIAL_TOKEN');
  });

  it('rejects holes in id and text arrays', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(codeOf(() => decode([1, , 2] as number[]))).toBe('ERR_INVALID_ARGUMENT');
    // eslint-disable-next-line no-sparse-arrays
    expect(codeOf(() => countTokensBatch([, 'a'] as string[]))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('rejects a signal that is not an AbortSignal', async () => {
    await expect(countTokensAsync('x', { signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
