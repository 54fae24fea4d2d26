import { describe, expect, it } from 'vitest';
import { estimateCost } from '../src/cost/estimate-cost.js';
import { TollgateError } from '../src/errors.js';

const prices = { input: 2e-6, output: 8e-6, cacheRead: 0.5e-6, cacheWrite: 2.5e-6 };

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThan(1e-12);
}

describe('estimateCost reads each provider usage style', () => {
  it('does not double count OpenAI reasoning tokens (inside completion_tokens)', () => {
    const cost = estimateCost({
      prices,
      usage: { prompt_tokens: 100, completion_tokens: 500, completion_tokens_details: { reasoning_tokens: 400 } },
    });
    close(cost.outputUsd, 100 * 8e-6);
    close(cost.reasoningUsd, 400 * 8e-6);
    close(cost.totalUsd, 100 * 2e-6 + 500 * 8e-6);
  });

  it('bills reasoning tokens at the reasoning price when one is given', () => {
    const cost = estimateCost({
      prices: { ...prices, reasoning: 1e-5 },
      usage: { input_tokens: 10, output_tokens: 30, output_tokens_details: { reasoning_tokens: 20 } },
    });
    expect(cost.usageStyle).toBe('openai-responses');
    close(cost.totalUsd, 10 * 2e-6 + 10 * 8e-6 + 20 * 1e-5);
  });

  it('adds Anthropic cache reads and writes on top of input_tokens', () => {
    const cost = estimateCost({
      prices,
      usage: { input_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200, output_tokens: 10 },
    });
    expect(cost.usageStyle).toBe('anthropic');
    close(cost.inputUsd, 50 * 2e-6);
    close(cost.cachedInputUsd, 1000 * 0.5e-6);
    close(cost.cacheWriteUsd, 200 * 2.5e-6);
    close(cost.totalUsd, 50 * 2e-6 + 1000 * 0.5e-6 + 200 * 2.5e-6 + 10 * 8e-6);
  });

  it('falls back: cacheRead and cacheWrite to input, reasoning to output', () => {
    const cost = estimateCost({
      prices: { input: 1e-6, output: 3e-6 },
      usage: { input_tokens: 5, cache_read_input_tokens: 7, cache_creation_input_tokens: 11, output_tokens: 2 },
    });
    expect(cost.prices).toEqual({ input: 1e-6, output: 3e-6, cacheRead: 1e-6, cacheWrite: 1e-6, reasoning: 3e-6 });
    close(cost.totalUsd, 23 * 1e-6 + 2 * 3e-6);
  });

  it('uses registry prices by model name, dated variants included', () => {
    const cost = estimateCost({ model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } });
    close(cost.totalUsd, 0.15 + 0.6);
    const claude = estimateCost({ model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 1000, output_tokens: 0 } });
    expect(claude.usageStyle).toBe('anthropic');
    close(claude.totalUsd, 1000 * 3e-6);
  });
});

describe('estimateCost refuses bad usage and options', () => {
  const codeAndField = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (TollgateError.isInstance(error)) return [error.code, error.field];
      throw error;
    }
    throw new Error('expected a TollgateError');
  };

  it.each([
    [{ prompt_tokens: -1, completion_tokens: 0 }, 'usage.prompt_tokens'],
    [{ prompt_tokens: Number.NaN, completion_tokens: 0 }, 'usage.prompt_tokens'],
    [{ prompt_tokens: '12', completion_tokens: 0 }, 'usage.prompt_tokens'],
    [{ prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: -5 } }, 'usage.prompt_tokens_details.cached_tokens'],
    [{ input_tokens: 1, output_tokens: Infinity }, 'usage.output_tokens'],
    [{ total_tokens: 5 }, 'usage'],
    ['12 tokens', 'usage'],
  ])('%o → ERR_INVALID_USAGE naming %s', (usage, field) => {
    expect(codeAndField(() => estimateCost({ prices, usage }))).toEqual(['ERR_INVALID_USAGE', field]);
  });

  it('treats null detail fields as zero', () => {
    const cost = estimateCost({ prices, usage: { input_tokens: 4, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 1 } });
    close(cost.totalUsd, 4 * 2e-6 + 8e-6);
  });

  it('names bad prices, a missing model and an unknown model', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 1 };
    expect(codeAndField(() => estimateCost({ prices: { input: -1, output: 1 }, usage }))).toEqual(['ERR_INVALID_ARGUMENT', 'prices.input']);
    expect(codeAndField(() => estimateCost({ prices: { input: 1, output: 1, cacheRead: Number.NaN }, usage }))).toEqual(['ERR_INVALID_ARGUMENT', 'prices.cacheRead']);
    expect(codeAndField(() => estimateCost({ usage }))).toEqual(['ERR_INVALID_ARGUMENT', 'options.model']);
    expect(codeAndField(() => estimateCost({ model: 'no-such-model', usage }))).toEqual(['ERR_UNKNOWN_MODEL', 'model']);
    expect(codeAndField(() => estimateCost({ prices, usage, usageStyle: 'gemini' as never }))).toEqual(['ERR_INVALID_ARGUMENT', 'options.usageStyle']);
  });
});
