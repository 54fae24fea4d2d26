import type OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getUsageStats } from '../src/index.js';
import { startHarness, waitFor, type Harness } from './helpers.js';

let harness: Harness;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'one two three four five six seven eight nine ten' },
];

beforeAll(async () => {
  harness = await startHarness({ models: { 'gpt-4o': { chunkDelayMs: 5 } } });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await harness.mock.close();
});
afterEach(() => {
  harness.records.length = 0;
});

describe('a stream left early', () => {
  it('settles exactly one aborted record when the caller breaks', async () => {
    const stream = await harness.wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    let seen = 0;
    for await (const chunk of stream) {
      void chunk;
      seen += 1;
      if (seen === 3) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(harness.records).toHaveLength(1);
    expect(harness.records[0]?.status).toBe('aborted');
    expect(harness.records[0]?.usageSource).toBe('estimated');
    expect(harness.records[0]?.completionTokens).toBe(2);
    expect(stream.controller.signal.aborted).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('settles exactly one aborted record when the caller aborts the controller', async () => {
    const stream = await harness.wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    let seen = 0;
    for await (const chunk of stream) {
      void chunk;
      seen += 1;
      if (seen === 2) stream.controller.abort();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(harness.records).toHaveLength(1);
    expect(harness.records[0]?.status).toBe('aborted');
    expect(unhandled).toEqual([]);
  });

  it('settles exactly one aborted record when a signal aborts before the response', async () => {
    harness.mock.configureModel('gpt-4o', { latencyMs: 2_000 });
    const controller = new AbortController();
    const pending = harness.wrapped.chat.completions.create(
      { model: 'gpt-4o', messages },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);
    harness.mock.configureModel('gpt-4o', { latencyMs: 0 });

    expect((error as Error).constructor.name).toBe('APIUserAbortError');
    expect(await waitFor(() => harness.records.length === 1)).toBe(true);
    expect(harness.records[0]?.status).toBe('aborted');
    expect(harness.records[0]?.usageSource).toBe('none');
    expect(unhandled).toEqual([]);
  });

  it('records one error when the connection drops mid-stream', async () => {
    const errorsBefore = getUsageStats(harness.wrapped)?.total.errors ?? 0;
    harness.mock.dropNext(1);
    const stream = await harness.wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const error = await (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(error).toBeInstanceOf(Error);
    expect(harness.records).toHaveLength(1);
    expect(harness.records[0]?.status).toBe('error');
    expect(harness.records[0]?.usageSource).toBe('estimated');
    expect(getUsageStats(harness.wrapped)?.total.errors).toBe(errorsBefore + 1);
    expect(unhandled).toEqual([]);
  });

  it('records one error when a non-streaming body is cut', async () => {
    harness.mock.dropNext(1);
    const error = await harness.wrapped.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(await waitFor(() => harness.records.length === 1)).toBe(true);
    expect(harness.records[0]?.status).toBe('error');
  });
});
