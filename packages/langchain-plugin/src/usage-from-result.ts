import type { LLMResult } from '@langchain/core/outputs';

type Loose = Record<string, unknown>;

/** Token numbers read from a run's result, in OpenAI's Chat Completions usage shape. */
export interface ReportedUsage {
  readonly source: 'llm-output' | 'usage-metadata';
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly cachedTokens: number;
  readonly reasoningTokens: number;
}

const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null;
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

function fromTokenUsage(tokenUsage: unknown): ReportedUsage | undefined {
  if (!isRecord(tokenUsage)) return undefined;
  const promptTokens = count(tokenUsage.promptTokens);
  const completionTokens = count(tokenUsage.completionTokens);
  if (promptTokens === undefined || completionTokens === undefined) return undefined;
  if (promptTokens === 0 && completionTokens === 0) return undefined;
  const totalTokens = count(tokenUsage.totalTokens) ?? promptTokens + completionTokens;
  return { source: 'llm-output', promptTokens, completionTokens, totalTokens, cachedTokens: 0, reasoningTokens: 0 };
}

function fromUsageMetadata(metadata: unknown): ReportedUsage | undefined {
  if (!isRecord(metadata)) return undefined;
  const promptTokens = count(metadata.input_tokens);
  const completionTokens = count(metadata.output_tokens);
  if (promptTokens === undefined || completionTokens === undefined) return undefined;
  const inputDetails = isRecord(metadata.input_token_details) ? metadata.input_token_details : {};
  const outputDetails = isRecord(metadata.output_token_details) ? metadata.output_token_details : {};
  return {
    source: 'usage-metadata',
    promptTokens,
    completionTokens,
    totalTokens: count(metadata.total_tokens) ?? promptTokens + completionTokens,
    cachedTokens: count(inputDetails.cache_read) ?? 0,
    reasoningTokens: count(outputDetails.reasoning) ?? 0,
  };
}

/** The generations of a result, flattened; tolerant of any shape. */
export function generationsOf(output: LLMResult | undefined): Loose[] {
  const generations = isRecord(output) && Array.isArray(output.generations) ? output.generations : [];
  return (generations.flat() as unknown[]).filter(isRecord);
}

/**
 * Usage of a run, in order of trust: `llmOutput.tokenUsage` (all-zero counts are ignored, as some
 * streamed results carry them), then the first generated message's `usage_metadata`, with cache
 * and reasoning details when given. `undefined` when neither is there (e.g. `llmOutput` undefined).
 */
export function usageFromResult(output: LLMResult | undefined): ReportedUsage | undefined {
  const llmOutput = isRecord(output) && isRecord(output.llmOutput) ? output.llmOutput : undefined;
  const reported = fromTokenUsage(llmOutput?.tokenUsage);
  const metadata = generationsOf(output)
    .map((generation) => (isRecord(generation.message) ? fromUsageMetadata(generation.message.usage_metadata) : undefined))
    .find((usage) => usage !== undefined);
  if (reported === undefined) return metadata;
  if (metadata === undefined) return reported;
  return { ...reported, cachedTokens: metadata.cachedTokens, reasoningTokens: metadata.reasoningTokens };
}

/** The generated text of a result (every generation's `text`, joined), for a local count. */
export function generatedText(output: LLMResult | undefined): string {
  return generationsOf(output)
    .map((generation) => (typeof generation.text === 'string' ? generation.text : ''))
    .join('');
}
