import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { estimateCost } from '@tollgate/core-native';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { TollgateCallbackHandler, type RunRecord } from '../src/index.js';
import { chatFor, outsideRequests, startMock } from './helpers.js';

let mock: MockOpenAIServer;
beforeAll(async () => {
  mock = await startMock({ models: { 'gpt-4o-mini': { completionTokens: 12, firstTokenDelayMs: 40 } } });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.reset();
  expect(outsideRequests).toEqual([]);
});

const question = [new SystemMessage('You answer in one sentence.'), new HumanMessage('What is a toll gate on a motorway used for?')];

describe('TollgateCallbackHandler records usage', () => {
  it('reads llmOutput.tokenUsage of a plain call and prices it', async () => {
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
    await chatFor(mock).invoke(question, { callbacks: [handler], tags: ['faq'] });

    const served = mock.stats().byModel['gpt-4o-mini']!;
    expect(records).toHaveLength(1);
    const [record] = records as [RunRecord];
    expect(record).toMatchObject({ status: 'ok', model: 'gpt-4o-mini', usageSource: 'llm-output', estimated: false, streamed: false, tags: ['faq'] });
    expect(record.promptTokens).toBe(served.promptTokens);
    expect(record.completionTokens).toBe(served.completionTokens);
    const usage = { prompt_tokens: served.promptTokens, completion_tokens: served.completionTokens };
    expect(record.costUsd).toBeCloseTo(estimateCost({ model: 'gpt-4o-mini', usage }).totalUsd, 12);
    expect(record.timeToFirstTokenMs).toBeUndefined();
    expect(record.latencyMs).toBeGreaterThan(0);
  });

  it('reads the usage of a stream and measures time to first token and streamed tokens', async () => {
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
    let text = '';
    for await (const chunk of await chatFor(mock).stream(question, { callbacks: [handler] })) text += chunk.content as string;

    const served = mock.stats().byModel['gpt-4o-mini']!;
    const [record] = records as [RunRecord];
    expect(records).toHaveLength(1);
    expect(record).toMatchObject({ status: 'ok', streamed: true, usageSource: 'llm-output', promptTokens: served.promptTokens, completionTokens: served.completionTokens });
    expect(record.streamedTokens).toBe(served.completionTokens);
    expect(record.streamedChunks).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
    expect(record.timeToFirstTokenMs).toBeGreaterThanOrEqual(35);
    expect(record.latencyMs).toBeGreaterThanOrEqual(record.timeToFirstTokenMs!);
  });

  it('counts locally and marks the record estimated when a stream reports no usage', async () => {
    mock.configureModel('gpt-4o-mini', { streamUsage: false });
    try {
      const records: RunRecord[] = [];
      const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
      for await (const _ of await chatFor(mock, { streamUsage: false }).stream(question, { callbacks: [handler] })) void _;

      const served = mock.stats().byModel['gpt-4o-mini']!;
      const [record] = records as [RunRecord];
      expect(record).toMatchObject({ status: 'ok', usageSource: 'estimated', estimated: true });
      expect(record.promptTokens).toBe(served.promptTokens);
      expect(record.completionTokens).toBe(served.completionTokens);
      expect(record.estimateReasons.length).toBeGreaterThan(0);
      expect(record.costUsd).toBeGreaterThan(0);
    } finally {
      mock.configureModel('gpt-4o-mini', { streamUsage: true });
    }
  });

  it('keeps totals per model and per tag, and snapshots are copies', async () => {
    const handler = new TollgateCallbackHandler();
    await chatFor(mock).invoke(question, { callbacks: [handler], tags: ['a'] });
    await chatFor(mock, { model: 'gpt-4o' }).invoke(question, { callbacks: [handler], tags: ['a', 'b'] });
    await chatFor(mock, { model: 'gpt-4o' }).invoke(question, { callbacks: [handler], tags: ['b'] });

    const snapshot = handler.snapshot();
    const served = mock.stats().byModel;
    expect(snapshot.total.runs).toBe(3);
    expect(snapshot.byModel['gpt-4o']!.runs).toBe(2);
    expect(snapshot.byModel['gpt-4o']!.promptTokens).toBe(served['gpt-4o']!.promptTokens);
    expect(snapshot.byModel['gpt-4o-mini']!.completionTokens).toBe(served['gpt-4o-mini']!.completionTokens);
    expect(snapshot.byTag['a']!.runs).toBe(2);
    expect(snapshot.byTag['b']!.runs).toBe(2);
    expect(snapshot.total.costUsd).toBeCloseTo(snapshot.byModel['gpt-4o']!.costUsd + snapshot.byModel['gpt-4o-mini']!.costUsd, 12);
    expect(snapshot.inFlight).toBe(0);

    snapshot.total.runs = 99;
    expect(handler.snapshot().total.runs).toBe(3);
    handler.reset();
    expect(handler.snapshot().total.runs).toBe(0);
  });
});
