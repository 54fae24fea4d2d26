import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../src/cost/estimate-cost.js';
import type { UsageStyle } from '../src/cost/normalize-usage.js';
import type { ModelPrices } from '../src/models/model-info.js';

interface CostVector {
  id: string;
  usageStyle: UsageStyle;
  prices: ModelPrices;
  usage: Record<string, unknown>;
  expectedTotal: number;
}

const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/shared-vectors/cost.json', import.meta.url), 'utf8')) as { cases: CostVector[] };

describe('estimateCost matches the shared cost vectors to 1e-12', () => {
  it.each(vectors.cases.map((vector) => [vector.id, vector] as const))('%s (style given)', (_id, vector) => {
    const cost = estimateCost({ prices: vector.prices, usage: vector.usage, usageStyle: vector.usageStyle });
    expect(Math.abs(cost.totalUsd - vector.expectedTotal)).toBeLessThan(1e-12);
  });

  it.each(vectors.cases.map((vector) => [vector.id, vector] as const))('%s (style detected)', (_id, vector) => {
    const cost = estimateCost({ prices: vector.prices, usage: vector.usage });
    expect(cost.usageStyle).toBe(vector.usageStyle);
    expect(Math.abs(cost.totalUsd - vector.expectedTotal)).toBeLessThan(1e-12);
  });

  it('never gives a negative part when cached tokens exceed prompt tokens', () => {
    const vector = vectors.cases.find((item) => item.id === 'inconsistent-cached-above-prompt')!;
    const cost = estimateCost({ prices: vector.prices, usage: vector.usage });
    for (const part of [cost.inputUsd, cost.cachedInputUsd, cost.cacheWriteUsd, cost.outputUsd, cost.reasoningUsd]) {
      expect(part).toBeGreaterThanOrEqual(0);
    }
    expect(cost.tokens.cacheReadTokens).toBe(10);
  });
});
