// Every run ends with exactly one record, whatever stops it: HTTP errors, dropped connections,
// aborts before the response and aborts in the middle of a stream.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HumanMessage } from '@langchain/core/messages';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { TollgateCallbackHandler, type RunRecord } from '../src/index.js';
import { chatFor, outsideRequests, startMock } from './helpers.js';

let mock: MockOpenAIServer;
beforeAll(async () => {
  mock = await startMock({ models: { 'gpt-4o-mini': { completionTokens: 40, chunkDelayMs: 15 }, 'gpt-4o': { latencyMs: 300 } } });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.reset();
  expect(outsideRequests).toEqual([]);
});

const prompt = [new HumanMessage('Tell me about bridges and tolls.')];

function recording() {
  const records: RunRecord[] = [];
  return { records, handler: new TollgateCallbackHandler({ onRecord: (record) => records.push(record) }) };
}

describe('one terminal record per run', () => {
  it('records an HTTP error once, with its status and without its message', async () => {
    const { records, handler } = recording();
    mock.failNext(1, { status: 500 });
    await expect(chatFor(mock).invoke(prompt, { callbacks: [handler] })).rejects.toThrow();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'error', usageSource: 'none', error: { status: 500 } });
    expect(handler.snapshot()).toMatchObject({ inFlight: 0, total: { runs: 1, errors: 1 } });
  });

  it('records a connection dropped in the middle of a stream as an error with the streamed part', async () => {
    const { records, handler } = recording();
    mock.dropNext(1);
    const consume = async () => {
      for await (const _ of await chatFor(mock).stream(prompt, { callbacks: [handler] })) void _;
    };
    await expect(consume()).rejects.toThrow();
    expect(records).toHaveLength(1);
    expect(records[0]!.status).toBe('error');
    expect(records[0]!.streamedChunks).toBeGreaterThan(0);
    expect(records[0]!.usageSource).toBe('estimated');
  });

  it('records an abort before the response as aborted', async () => {
    const { records, handler } = recording();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(chatFor(mock, { model: 'gpt-4o' }).invoke(prompt, { callbacks: [handler], signal: controller.signal })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'aborted', model: 'gpt-4o' });
    expect(handler.snapshot().inFlight).toBe(0);
  });

  it('records an abort in the middle of a stream as aborted, with the tokens streamed so far', async () => {
    const { records, handler } = recording();
    const controller = new AbortController();
    const consume = async () => {
      let chunks = 0;
      for await (const chunk of await chatFor(mock).stream(prompt, { callbacks: [handler], signal: controller.signal })) {
        if (chunk.content !== '') chunks += 1;
        if (chunks === 3) controller.abort();
      }
    };
    await expect(consume()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(records).toHaveLength(1);
    const [record] = records as [RunRecord];
    expect(record.status).toBe('aborted');
    expect(record.streamedChunks).toBeGreaterThanOrEqual(2);
    expect(record.streamedTokens).toBeLessThan(40);
    expect(record.timeToFirstTokenMs).toBeDefined();
  });

  it('ends a stream the caller stopped reading (LangChain sends no callback) after abandonedRunMs', async () => {
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record), abandonedRunMs: 150 });
    let seen = 0;
    // ChatOpenAI calls handleLLMNewToken after yielding a chunk, so the last chunk read is not seen.
    for await (const chunk of await chatFor(mock).stream(prompt, { callbacks: [handler] })) if (chunk.content !== '' && ++seen === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(records).toHaveLength(0);
    expect(handler.snapshot().inFlight).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'aborted', error: { name: 'RunAbandoned' } });
    expect(records[0]!.streamedChunks).toBe(1);
    expect(records[0]!.usageSource).toBe('estimated');
    expect(handler.snapshot().inFlight).toBe(0);
  });
});
