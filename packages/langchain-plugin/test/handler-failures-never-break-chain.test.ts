// The handler's own failures are reported on a channel and swallowed, unless raiseError is set.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HumanMessage } from '@langchain/core/messages';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { HANDLER_ERROR_CHANNEL, TollgateCallbackHandler, type RunRecord } from '../src/index.js';
import { chatFor, outsideRequests, startMock } from './helpers.js';

let mock: MockOpenAIServer;
const failures: unknown[] = [];
const onFailure = (message: unknown) => void failures.push(message);
beforeAll(async () => {
  mock = await startMock();
  subscribe(HANDLER_ERROR_CHANNEL, onFailure);
});
afterAll(async () => {
  unsubscribe(HANDLER_ERROR_CHANNEL, onFailure);
  await mock.close();
});
afterEach(() => {
  failures.length = 0;
  mock.reset();
  expect(outsideRequests).toEqual([]);
});

const secret = 'my private prompt text';

describe('handler failures', () => {
  it('a throwing onRecord does not break invoke or stream, and is published without its message', async () => {
    const handler = new TollgateCallbackHandler({
      onRecord: () => {
        throw new TypeError(secret);
      },
    });
    const reply = await chatFor(mock).invoke([new HumanMessage(secret)], { callbacks: [handler] });
    expect(typeof reply.content).toBe('string');
    for await (const _ of await chatFor(mock).stream([new HumanMessage(secret)], { callbacks: [handler] })) void _;

    expect(failures).toEqual([
      { method: 'onRecord', error: { name: 'TypeError' } },
      { method: 'onRecord', error: { name: 'TypeError' } },
    ]);
    expect(JSON.stringify(failures)).not.toContain(secret);
    expect(handler.snapshot().total.runs).toBe(2);
  });

  it('a prompt the counter rejects still gets its record with the provider usage', async () => {
    const records: RunRecord[] = [];
    const handler = new TollgateCallbackHandler({ onRecord: (record) => records.push(record) });
    const odd = new HumanMessage({ content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:,', detail: 'huge' } }] });
    await chatFor(mock).invoke([odd], { callbacks: [handler] });
    expect(failures).toEqual([{ method: 'handleChatModelStart', error: { name: 'TollgateError', code: 'ERR_INVALID_ARGUMENT' } }]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'ok', usageSource: 'llm-output' });
  });

  it('with raiseError the failure reaches the caller', async () => {
    const handler = new TollgateCallbackHandler({
      raiseError: true,
      onRecord: () => {
        throw new RangeError('record sink is full');
      },
    });
    await expect(chatFor(mock).invoke('Hello', { callbacks: [handler] })).rejects.toThrow(RangeError);
  });
});
