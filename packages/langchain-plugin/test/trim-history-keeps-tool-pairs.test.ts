// Trimming to a token budget keeps the last messages and never starts with an orphan tool result.
import { describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, trimMessages, type BaseMessage } from '@langchain/core/messages';
import { createTokenCounter, dropOrphanToolResults, trimHistory } from '../src/index.js';

const system = new SystemMessage('You plan road trips and quote tolls.');
const history: BaseMessage[] = [
  system,
  new HumanMessage('Plan a drive from Milan to Rome.'),
  new AIMessage('Take the A1 through Bologna and Florence; about 570 km.'),
  new HumanMessage('What are the tolls on that route and on the coastal one?'),
  new AIMessage({
    content: '',
    tool_calls: [
      { id: 'call_a1', name: 'toll', args: { road: 'A1', from: 'Milano', to: 'Roma' }, type: 'tool_call' },
      { id: 'call_a12', name: 'toll', args: { road: 'A12', from: 'Genova', to: 'Roma' }, type: 'tool_call' },
    ],
  }),
  new ToolMessage({ content: '{"road":"A1","eur":43.7,"note":"Class A vehicles, 2025 rates"}', tool_call_id: 'call_a1' }),
  new ToolMessage({ content: '{"road":"A12","eur":38.1}', tool_call_id: 'call_a12' }),
  new AIMessage('The A1 costs €43.70 and the coastal A12 about €38.10.'),
  new HumanMessage('Which one is faster?'),
];
const counter = createTokenCounter({ model: 'gpt-4o-mini' });

/** Budgets at which LangChain's own trim (with the exact counter) cuts between a tool call and its results. */
function cuttingBudgets(): number[] {
  const tail = history.slice(1);
  const budgets: number[] = [];
  for (let start = 0; start < tail.length; start += 1) {
    if (tail[start]!.getType() === 'tool') budgets.push(counter([system, ...tail.slice(start)]));
  }
  return budgets;
}

describe('trimHistory', () => {
  it('LangChain alone can start with an orphan tool result at these budgets; trimHistory never does', async () => {
    const budgets = cuttingBudgets();
    expect(budgets.length).toBe(2);
    for (const maxTokens of budgets) {
      const plain = await trimMessages(history, { maxTokens, strategy: 'last', includeSystem: true, tokenCounter: counter });
      expect(plain[1]!.getType()).toBe('tool');

      const trimmed = await trimHistory(history, { model: 'gpt-4o-mini', maxTokens });
      expect(trimmed[0]!.getType()).toBe('system');
      expect(trimmed[1]!.getType()).not.toBe('tool');
      expect(counter(trimmed)).toBeLessThanOrEqual(maxTokens);
      expect(trimmed.at(-1)!.content).toBe('Which one is faster?');
    }
  });

  it('keeps the whole tool exchange when the budget allows it, and exactly the budget is allowed', async () => {
    const maxTokens = counter([system, ...history.slice(4)]);
    const trimmed = await trimHistory(history, { tokenCounter: counter, maxTokens });
    expect(trimmed.map((message) => message.getType())).toEqual(['system', 'ai', 'tool', 'tool', 'ai', 'human']);
    const smaller = await trimHistory(history, { tokenCounter: counter, maxTokens: maxTokens - 1 });
    expect(smaller.map((message) => message.getType())).toEqual(['system', 'ai', 'human']);
  });

  it('dropOrphanToolResults keeps tool results whose call is present and drops the others', () => {
    const [, , , , call, first, second, answer] = history as [BaseMessage, BaseMessage, BaseMessage, BaseMessage, BaseMessage, BaseMessage, BaseMessage, BaseMessage];
    expect(dropOrphanToolResults([call, first, second, answer])).toEqual([call, first, second, answer]);
    expect(dropOrphanToolResults([second, answer])).toEqual([answer]);
  });

  it('rejects a bad budget with a coded error', async () => {
    await expect(trimHistory(history, { model: 'gpt-4o', maxTokens: -5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'options.maxTokens' });
  });
});
