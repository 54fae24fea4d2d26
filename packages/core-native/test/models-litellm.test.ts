import { afterEach, describe, expect, it } from 'vitest';
import { estimateCost } from '../src/cost/estimate-cost.js';
import { loadLiteLLMModelPrices } from '../src/models/litellm-prices.js';
import { getModelInfo, registerModels, resetModelRegistry } from '../src/models/model-registry.js';

afterEach(() => resetModelRegistry());

// Shaped like LiteLLM's model_prices_and_context_window.json (values are test inputs).
const litellm = {
  sample_spec: { input_cost_per_token: 0.0, max_input_tokens: 'max input tokens, if the provider specifies it', litellm_provider: 'one of ...' },
  'gpt-4o-test': {
    input_cost_per_token: 2.5e-6,
    output_cost_per_token: 1e-5,
    cache_read_input_token_cost: 1.25e-6,
    litellm_provider: 'openai',
    max_input_tokens: 128000,
    max_output_tokens: 16384,
    max_tokens: 16384,
    mode: 'chat',
  },
  'claude-test-4': {
    input_cost_per_token: 3e-6,
    output_cost_per_token: 1.5e-5,
    cache_read_input_token_cost: 3e-7,
    cache_creation_input_token_cost: 3.75e-6,
    litellm_provider: 'anthropic',
    max_tokens: 8192,
    mode: 'chat',
  },
  'o-test': { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6, output_cost_per_reasoning_token: 5e-6, litellm_provider: 'openai', max_input_tokens: 200000 },
  'text-embedding-test': { input_cost_per_token: 2e-8, litellm_provider: 'openai', max_input_tokens: 8191, mode: 'embedding' },
  'dall-e-test': { output_cost_per_image: 0.04, litellm_provider: 'openai', mode: 'image_generation' },
};

describe('loadLiteLLMModelPrices', () => {
  it('converts per-token prices and limits, skipping sample_spec and non-token pricing', () => {
    const entries = loadLiteLLMModelPrices(litellm);
    expect(entries.map((entry) => entry.name)).toEqual(['gpt-4o-test', 'claude-test-4', 'o-test', 'text-embedding-test']);
    expect(entries[0]).toEqual({
      name: 'gpt-4o-test',
      provider: 'openai',
      encoding: 'o200k_base',
      contextWindow: 128000,
      maxOutputTokens: 16384,
      prices: { input: 2.5e-6, output: 1e-5, cacheRead: 1.25e-6 },
      mode: 'chat',
    });
    expect(entries[1]).toMatchObject({ encoding: null, contextWindow: 8192, maxOutputTokens: 8192, prices: { cacheWrite: 3.75e-6 } });
    expect(entries[2]?.prices?.reasoning).toBe(5e-6);
    expect(entries[3]).toMatchObject({ encoding: 'cl100k_base', prices: { input: 2e-8, output: 0 } });
  });

  it('feeds registerModels and estimateCost', () => {
    registerModels(loadLiteLLMModelPrices(litellm));
    expect(getModelInfo('claude-test-4-20990101').name).toBe('claude-test-4');
    const cost = estimateCost({ model: 'claude-test-4', usage: { input_tokens: 10, cache_creation_input_tokens: 100, output_tokens: 1 } });
    expect(Math.abs(cost.totalUsd - (10 * 3e-6 + 100 * 3.75e-6 + 1.5e-5))).toBeLessThan(1e-12);
  });

  it('names a malformed number, or skips it when asked', () => {
    const bad = { ...litellm, 'broken-model': { input_cost_per_token: -1, litellm_provider: 'openai' } };
    expect(() => loadLiteLLMModelPrices(bad)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_MODEL_DATA', field: 'json["broken-model"].input_cost_per_token' }),
    );
    expect(loadLiteLLMModelPrices(bad, { skipInvalid: true })).toHaveLength(4);
    expect(() => loadLiteLLMModelPrices([])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MODEL_DATA', field: 'json' }));
  });

  it('names an entry without a model name, or skips it so the rest still registers', () => {
    const nameless = { ...litellm, ' ': { input_cost_per_token: 1e-6, litellm_provider: 'openai' } };
    expect(() => loadLiteLLMModelPrices(nameless)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MODEL_DATA', field: 'json', value: '" "' }));
    const kept = loadLiteLLMModelPrices(nameless, { skipInvalid: true });
    expect(kept).toHaveLength(4);
    expect(() => registerModels(kept)).not.toThrow();
  });
});
