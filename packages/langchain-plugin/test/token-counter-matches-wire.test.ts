// createTokenCounter counts what ChatOpenAI actually sends: equal to the mock's independent
// count (js-tiktoken) for plain chats, and to the chat rules applied to the recorded wire
// messages for chats with tool calls and tool results.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { countChatTokens, type ChatMessage } from '@tollgate/core-native';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';
import { createTokenCounter } from '../src/index.js';
import { chatBodies, chatFor, outsideRequests, startMock } from './helpers.js';

let mock: MockOpenAIServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());
afterEach(() => {
  mock.reset();
  expect(outsideRequests).toEqual([]);
});

const plain: BaseMessage[] = [
  new SystemMessage('You are a terse assistant for a motorway operator.'),
  new HumanMessage({ content: 'Which vehicles pay the heavy-goods rate?', name: 'dispatcher' }),
  new AIMessage('Vehicles over 3.5 tonnes, and buses with more than 8 seats.'),
  new HumanMessage({ content: [{ type: 'text', text: 'And in Österreich? ' }, { type: 'text', text: '料金は？' }] }),
];

const withTools: BaseMessage[] = [
  new HumanMessage('What is the toll from Lyon to Paris for a car?'),
  new AIMessage({
    content: '',
    tool_calls: [
      { id: 'call_route_1', name: 'lookup_toll', args: { from: 'Lyon', to: 'Paris', vehicle: 'car' }, type: 'tool_call' },
      { id: 'call_route_2', name: 'lookup_distance', args: { from: 'Lyon', to: 'Paris' }, type: 'tool_call' },
    ],
  }),
  new ToolMessage({ content: '{"eur": 36.4}', tool_call_id: 'call_route_1' }),
  new ToolMessage({ content: '{"km": 465}', tool_call_id: 'call_route_2' }),
  new HumanMessage('Thanks. Per kilometre?'),
];

describe('createTokenCounter', () => {
  for (const model of ['gpt-4o-mini', 'gpt-4', 'gpt-3.5-turbo']) {
    it(`equals the prompt tokens the server counts for a plain chat (${model})`, async () => {
      const counter = createTokenCounter({ model });
      await chatFor(mock, { model }).invoke(plain);
      expect(counter(plain)).toBe(mock.stats().byModel[model]!.promptTokens);
    });
  }

  it('counts tool calls and tool results as the chat rules count the messages ChatOpenAI sent', async () => {
    const counter = createTokenCounter({ model: 'gpt-4o' });
    await chatFor(mock, { model: 'gpt-4o' }).invoke(withTools);
    const sent = chatBodies(mock)[0]!.messages as ChatMessage[];
    const onTheWire = countChatTokens(sent, { model: 'gpt-4o' });
    expect(counter(withTools)).toBe(onTheWire.tokens);
    expect(counter.detailed(withTools)).toEqual(onTheWire);
    // The tool traffic is counted: dropping it changes the count by more than its text.
    expect(counter(withTools)).toBeGreaterThan(counter([withTools[0]!, withTools[4]!]) + 20);
  });

  it('gives the same numbers with and without its cache, also after a message is edited', () => {
    const cached = createTokenCounter({ model: 'gpt-4o' });
    const uncached = createTokenCounter({ model: 'gpt-4o', cache: false });
    const history = [...plain, ...withTools];
    for (let end = 0; end <= history.length; end += 1) expect(cached(history.slice(0, end))).toBe(uncached(history.slice(0, end)));
    const edited = history[2]!;
    edited.content = 'A much shorter answer.';
    expect(cached(history)).toBe(uncached(history));
  });

  it('throws a coded error for an unknown model, unless a default encoding is given', () => {
    expect(() => createTokenCounter({ model: 'my-local-llama' })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_MODEL' }));
    const counter = createTokenCounter({ model: 'my-local-llama', defaultEncoding: 'o200k_base' });
    expect(counter.detailed(plain).estimated).toBe(true);
    expect(counter(plain)).toBe(createTokenCounter({ model: 'gpt-4o' })(plain));
  });
});
