// ChatOpenAI counts offline and exactly once given tollgate's counter: no vocabulary download.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { countTokens } from '@tollgate/core-native';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { createTokenCounter, withOfflineTokenCounting } from '../src/index.js';
import { chatFor, outsideRequests, startMock } from './helpers.js';

let mock: MockOpenAIServer;
beforeAll(async () => {
  mock = await startMock({ models: { 'gpt-4o-mini': { streamUsage: false, completionTokens: 14 } } });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.reset();
  expect(outsideRequests).toEqual([]);
});

describe('withOfflineTokenCounting', () => {
  it('getNumTokens counts with the bundled encoding, text blocks joined', async () => {
    const chat = withOfflineTokenCounting(chatFor(mock));
    expect(await chat.getNumTokens('Péage de Saint-Arnoult, 12 km')).toBe(countTokens('Péage de Saint-Arnoult, 12 km', { model: 'gpt-4o-mini' }));
    expect(await chat.getNumTokens([{ type: 'text', text: 'ab' }, { type: 'image_url', image_url: 'data:,' }, { type: 'text', text: 'cd' }])).toBe(countTokens('abcd', { model: 'gpt-4o-mini' }));
  });

  it('getNumTokensFromMessages uses the chat rules, tool calls included', async () => {
    const chat = withOfflineTokenCounting(chatFor(mock, { model: 'gpt-4o' }));
    const messages = [
      new HumanMessage('Toll for a van?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'toll', args: { vehicle: 'van' }, type: 'tool_call' }] }),
      new ToolMessage({ content: '12.5', tool_call_id: 'c1' }),
    ];
    const counter = createTokenCounter({ model: 'gpt-4o' });
    const { totalCount, countPerMessage } = await chat.getNumTokensFromMessages(messages);
    expect(totalCount).toBe(counter(messages));
    expect(countPerMessage).toEqual(messages.map((message) => counter([message]) - counter([])));
  });

  it('a streamed call without provider usage gets its usage estimated offline and exactly', async () => {
    const chat = withOfflineTokenCounting(chatFor(mock, { streaming: true, streamUsage: false }));
    // ChatOpenAI's outer generate drops this estimate (it reports zeros); its completions model makes it.
    const inner = (chat as unknown as { completions: { _generate: (messages: unknown[], options: unknown) => Promise<{ llmOutput?: Record<string, unknown> }> } }).completions;
    const result = await inner._generate([new SystemMessage('Answer briefly.'), new HumanMessage('Is the A6 tolled between Lyon and Paris?')], {});
    const served = mock.stats().byModel['gpt-4o-mini']!;
    expect(result.llmOutput?.estimatedTokenUsage).toEqual({ promptTokens: served.promptTokens, completionTokens: served.completionTokens, totalTokens: served.promptTokens + served.completionTokens });
  });

  it('needs a model name', () => {
    expect(() => withOfflineTokenCounting({ getNumTokens: async () => 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
