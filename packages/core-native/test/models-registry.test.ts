import { afterEach, describe, expect, it } from 'vitest';
import { TollgateError } from '../src/errors.js';
import { getBundledModelDataInfo } from '../src/models/bundled-models.js';
import { getEncodingNameForModel } from '../src/models/encoding-for-model.js';
import { findModelInfo, getModelInfo, registerModels, resetModelRegistry } from '../src/models/model-registry.js';

afterEach(() => resetModelRegistry());

const REQUIRED = [
  'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'o1', 'o1-mini',
  'o3', 'o3-mini', 'o4-mini', 'gpt-4', 'gpt-4-turbo', 'gpt-4-32k', 'gpt-3.5-turbo', 'text-embedding-3-small',
  'text-embedding-3-large', 'text-embedding-ada-002', 'davinci-002', 'babbage-002',
];

describe('bundled model data', () => {
  it('covers every required model with prices and limits, and says where prices came from', () => {
    for (const name of REQUIRED) {
      const info = getModelInfo(name);
      expect(info.name).toBe(name);
      expect(info.encoding).not.toBeNull();
      expect(info.prices!.input).toBeGreaterThan(0);
      expect(info.contextWindow).toBeGreaterThan(0);
    }
    expect(getModelInfo('claude-sonnet-4-5').encoding).toBeNull();
    const { source, date } = getBundledModelDataInfo();
    expect(source).toContain('BerriAI/litellm');
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('has the checked LiteLLM prices for gpt-4o and gpt-5-mini', () => {
    expect(getModelInfo('gpt-4o').prices).toEqual({ input: 2.5e-6, output: 1e-5, cacheRead: 1.25e-6 });
    expect(getModelInfo('gpt-5-mini')).toMatchObject({ contextWindow: 272000, maxOutputTokens: 128000 });
  });
});

describe('model name resolution', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['o3-2025-04-16', 'o3'],
    ['gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['gpt-4-0613', 'gpt-4'],
    ['gpt-4-32k-0613', 'gpt-4-32k'],
    ['gpt-4-1106-preview', 'gpt-4-turbo'],
    ['openai/gpt-4o', 'gpt-4o'],
    ['azure/gpt-4o-mini', 'gpt-4o-mini'],
    ['openrouter/openai/gpt-5', 'gpt-5'],
    ['ft:gpt-4o-mini:my-org::abc123', 'gpt-4o-mini'],
    ['ft:gpt-4o-mini-2024-07-18:my-org:custom:abc123', 'gpt-4o-mini'],
    ['GPT-4O', 'gpt-4o'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['anthropic/claude-3-5-haiku-latest', 'claude-3-5-haiku'],
  ])('%s → %s', (model, expected) => {
    expect(findModelInfo(model)?.name).toBe(expected);
  });

  it('returns undefined for unknown models and getModelInfo names them in ERR_UNKNOWN_MODEL', () => {
    expect(findModelInfo('mystery-model-9')).toBeUndefined();
    expect(() => getModelInfo('mystery-model-9')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_MODEL', message: expect.stringContaining('mystery-model-9') }));
    expect(() => findModelInfo('' as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('getEncodingNameForModel', () => {
  it.each([
    ['gpt-4o-2024-11-20', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.5-preview', 'o200k_base'],
    ['gpt-5.1', 'o200k_base'],
    ['o1-preview', 'o200k_base'],
    ['o4-mini-2025-04-16', 'o200k_base'],
    ['gpt-4-0314', 'cl100k_base'],
    ['gpt-35-turbo', 'cl100k_base'],
    ['text-embedding-3-large', 'cl100k_base'],
    ['davinci-002', 'cl100k_base'],
    ['text-davinci-003', 'p50k_base'],
    ['code-davinci-002', 'p50k_base'],
    ['davinci', 'r50k_base'],
    ['text-curie-001', 'r50k_base'],
    ['gpt2', 'r50k_base'],
  ])('%s → %s', (model, encoding) => {
    expect(getEncodingNameForModel(model)).toBe(encoding);
  });

  it('throws for unknown models unless a default is given', () => {
    expect(() => getEncodingNameForModel('llama-3')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_MODEL' }));
    expect(getEncodingNameForModel('llama-3', { defaultEncoding: 'cl100k_base' })).toBe('cl100k_base');
    expect(() => getEncodingNameForModel('claude-haiku-4-5')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_ENCODING' }));
    expect(() => getEncodingNameForModel('gpt-4o', { defaultEncoding: 'cl200k' as never })).toThrow(expect.objectContaining({ field: 'options.defaultEncoding' }));
  });
});

describe('registerModels', () => {
  it('adds models, overrides existing ones, and clears cached resolutions', () => {
    expect(findModelInfo('my-model-2025-01-01')).toBeUndefined();
    registerModels([{ name: 'my-model', encoding: 'o200k_base', prices: { input: 1e-6, output: 2e-6 } }]);
    expect(findModelInfo('my-model-2025-01-01')?.name).toBe('my-model');
    registerModels([{ name: 'gpt-4o', prices: { input: 9e-6, output: 9e-6 } }]);
    expect(getModelInfo('openai/gpt-4o').prices?.input).toBe(9e-6);
    expect(getModelInfo('gpt-4o').encoding).toBe('o200k_base');
  });

  it('replaces the whole registry when asked', () => {
    registerModels([{ name: 'only-one', encoding: null }], { replace: true });
    expect(findModelInfo('gpt-4o')).toBeUndefined();
    expect(getModelInfo('only-one').provider).toBe('unknown');
  });

  it.each([
    [{ name: 'x', prices: { input: -1, output: 0 } }, 'entries[0].prices.input'],
    [{ name: 'x', prices: { input: 1, output: Infinity } }, 'entries[0].prices.output'],
    [{ name: 'x', prices: { input: 1, output: 1, cacheRead: Number.NaN } }, 'entries[0].prices.cacheRead'],
    [{ name: 'x', encoding: 'cl200k' }, 'entries[0].encoding'],
    [{ name: 'x', contextWindow: 1.5 }, 'entries[0].contextWindow'],
    [{ name: '' }, 'entries[0].name'],
  ])('refuses %o naming %s, and keeps the registry unchanged', (entry, field) => {
    let caught: unknown;
    try {
      registerModels([{ name: 'fine', encoding: null }, entry] as never, { replace: true });
    } catch (error) {
      caught = error;
    }
    expect(TollgateError.isInstance(caught)).toBe(true);
    expect((caught as TollgateError).code).toBe('ERR_INVALID_MODEL_DATA');
    expect((caught as TollgateError).field).toBe(field.replace('entries[0]', 'entries[1]'));
    expect(findModelInfo('gpt-4o')?.name).toBe('gpt-4o');
  });
});
