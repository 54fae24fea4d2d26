// The seed report's "medium" workload, as data: every suite of the seed rows (and the Python
// runner, which gets this object as JSON) works on exactly these inputs.
import { corpusText } from './corpus-text.js';

/** One deployment of the seed workload (plain data, so it can cross to workers and to Python). */
export interface SeedDeployment {
  readonly id: string;
  readonly model: string;
  readonly weight: number;
  readonly rpm: number;
}

/** The medium workload of the seed report. */
export interface SeedWorkload {
  /** 3 text samples of varying size (characters: about 60, 1,000 and 5,000). */
  readonly texts: readonly string[];
  /** 5 models (o200k_base and cl100k_base). */
  readonly models: readonly string[];
  /** 20 deployments, 4 per model. */
  readonly deployments: readonly SeedDeployment[];
  /** 50 rate-limit keys. */
  readonly keys: readonly string[];
  /** 10 connection endpoints (filled in by the pool suite: local servers on 127.0.0.1). */
  readonly endpoints: number;
  /** Warm-up runs per cell. */
  readonly warmup: number;
  /** memory_pressure_tokens: 100 texts of 1,000 characters each. */
  readonly pressureTexts: readonly string[];
  /** memory_pressure_rate_limit: 1,000 distinct keys. */
  readonly pressureKeys: number;
}

/** Rate high enough that no check in a bench is ever refused (requests per minute). */
export const NEVER_REFUSED = 4_000_000_000;

/** Builds the workload from the demo corpus (deterministic: same inputs on every run). */
export function seedWorkload(): SeedWorkload {
  // Code points, not UTF-16 units: "characters" as Python counts them, and no split surrogates.
  const points = Array.from(corpusText());
  const chars = (from: number, to: number) => points.slice(from, to).join('');
  const models = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4', 'gpt-3.5-turbo'];
  const pressureTexts = Array.from({ length: 100 }, (_, i) => chars(20_000 + i * 1_000, 21_000 + i * 1_000));
  return {
    texts: ['Summarise the attached quarterly report in three bullet points.', chars(0, 1_000), chars(1_000, 6_000)],
    models,
    deployments: models.flatMap((model) =>
      Array.from({ length: 4 }, (_, i) => ({ id: `${model}@region-${i}`, model, weight: 1 + i, rpm: 1_000_000_000 })),
    ),
    keys: Array.from({ length: 50 }, (_, i) => `user:${i}`),
    endpoints: 10,
    warmup: 3,
    pressureTexts,
    pressureKeys: 1_000,
  };
}
