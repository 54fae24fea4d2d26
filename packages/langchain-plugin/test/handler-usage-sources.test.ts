// The order of trust of usage sources, driven through the handler with real LangChain results.
import { describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import { countChatTokens, countTokens } from '@tollgate/core-native';
import { TollgateCallbackHandler, type RunRecord } from '../src/index.js';

const messages = [new HumanMessage('Count the tokens of this question, please.')];
const extraParams = { invocation_params: { model: 'gpt-4o' } };
const serialized = { lc: 1 as const, type: 'not_implemented' as const, id: ['test'] };

async function runWith(output: LLMResult): Promise<RunRecord> {
  const records: RunRecord[] = [];
  const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
  await handler.handleChatModelStart(serialized, [messages], 'run-1', undefined, extraParams, ['t']);
  handler.handleLLMEnd(output, 'run-1');
  handler.handleLLMEnd(output, 'run-1');
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe('usage sources', () => {
  it('prefers llmOutput.tokenUsage over usage_metadata', async () => {
    const message = new AIMessage({ content: 'Sure.', usage_metadata: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } });
    const record = await runWith({ generations: [[{ text: 'Sure.', message } as never]], llmOutput: { tokenUsage: { promptTokens: 20, completionTokens: 3, totalTokens: 23 } } });
    expect(record).toMatchObject({ usageSource: 'llm-output', promptTokens: 20, completionTokens: 3, totalTokens: 23 });
  });

  it('falls back to usage_metadata when llmOutput is undefined, with cached tokens priced', async () => {
    const message = new AIMessage({
      content: 'Sure.',
      usage_metadata: { input_tokens: 2000, output_tokens: 10, total_tokens: 2010, input_token_details: { cache_read: 1024 } },
    });
    const record = await runWith({ generations: [[{ text: 'Sure.', message } as never]], llmOutput: undefined });
    expect(record).toMatchObject({ usageSource: 'usage-metadata', promptTokens: 2000, completionTokens: 10, estimated: false });
    const uncached = await runWith({
      generations: [[{ text: 'Sure.', message: new AIMessage({ content: 'Sure.', usage_metadata: { input_tokens: 2000, output_tokens: 10, total_tokens: 2010 } }) } as never]],
    });
    expect(record.costUsd!).toBeLessThan(uncached.costUsd!);
  });

  it('counts the prompt and the generated text locally when no usage came', async () => {
    const record = await runWith({ generations: [[{ text: 'A reply of several words.' }]] });
    const prompt = countChatTokens([{ role: 'user', content: 'Count the tokens of this question, please.' }], { model: 'gpt-4o' }).tokens;
    expect(record).toMatchObject({ usageSource: 'estimated', estimated: true, promptTokens: prompt, completionTokens: countTokens('A reply of several words.', { model: 'gpt-4o' }) });
    expect(record.tags).toEqual(['t']);
  });

  it('gives a run that failed before any output no usage and no cost', async () => {
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
    await handler.handleChatModelStart(serialized, [messages], 'run-2', undefined, extraParams);
    handler.handleLLMError(Object.assign(new Error('boom'), { status: 500 }), 'run-2');
    handler.handleLLMEnd({ generations: [] }, 'run-2');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'error', usageSource: 'none', costUsd: undefined, costUnavailableReason: 'no-usage', error: { name: 'Error', status: 500 } });
    expect(JSON.stringify(records[0])).not.toContain('boom');
  });
});
