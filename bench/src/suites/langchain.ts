// Token counting for LangChain's trimMessages: tollgate's createTokenCounter against LangChain's own
// counting, on the same chat histories built from the demo corpus (real text in 16 languages and
// code, with tool-call exchanges). Speed as a ratio, accuracy against an independent reference (the
// mock server's js-tiktoken count of the messages as ChatOpenAI sends them).
//
// Offline only. LangChain's ChatOpenAI downloads its vocabulary from tiktoken.pages.dev on first
// use; no request may leave this machine, so its tokenizer is given js-tiktoken's bundled
// o200k_base ranks up front (`_encoding`), which is exactly what the download would produce, and
// the global `fetch` refuses (and records) every request while the suite runs. LangChain's
// `length / 4` fallback (used when the download fails) is not run through LangChain: reaching it
// needs a failed network request per call. Its accuracy is shown from the same formula, marked.
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

import { AIMessage, HumanMessage, SystemMessage, ToolMessage, trimMessages, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { createTokenCounter, toChatMessage } from '@tollgate/langchain';
import { countChatPrompt } from '@tollgate/mock-openai-server';
import type { BenchContext } from '../context.js';
import { chunksOfBytes, corpusText } from '../corpus-text.js';
import { measureAsync, type MeasureOptions } from '../harness.js';
import type { BenchRow, Cell, SuiteResult } from '../table.js';

const MODEL = 'gpt-4o-mini';
const BUDGET_SHARE = 0.3;
const LANGCHAIN = 'LangChain ChatOpenAI';
const TOLLGATE = 'tollgate createTokenCounter';

/** A history of `size` messages from corpus chunks; every 8th exchange is a tool call with its results. */
function buildHistory(chunks: string[], size: number, offset: number): BaseMessage[] {
  const history: BaseMessage[] = [new SystemMessage('You answer questions about the documents the user pastes.')];
  let turn = 0;
  while (history.length < size) {
    const text = chunks[(offset + turn) % chunks.length]!;
    if (turn % 8 === 7) {
      const id = `call_${offset}_${turn}`;
      history.push(new AIMessage({ content: '', tool_calls: [{ id, name: 'search_docs', args: { query: text.slice(0, 60) }, type: 'tool_call' }] }));
      history.push(new ToolMessage({ content: text, tool_call_id: id }));
    } else {
      history.push(turn % 2 === 0 ? new HumanMessage(text) : new AIMessage(text));
    }
    turn += 1;
  }
  return history.slice(0, size);
}

/** The independent reference: js-tiktoken (in the mock server) on the messages as sent. */
const reference = (history: BaseMessage[]) => countChatPrompt('o200k_base', history.map(toChatMessage), undefined);

const signed = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

/**
 * Runs `work` with a global `fetch` that refuses every request and records its host; throws when
 * anything tried the network (LangChain would otherwise fall back to `length / 4` silently).
 */
async function offline<T>(work: () => Promise<T>): Promise<T> {
  const attempts: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    attempts.push(URL.canParse(url) ? new URL(url).host : 'an unparsable URL');
    throw new TypeError('The LangChain bench is offline: no request may leave this machine.');
  }) as typeof fetch;
  try {
    const result = await work();
    if (attempts.length > 0) throw new Error(`Expected the LangChain bench to make no network request, got ${attempts.length} (to ${[...new Set(attempts)].join(', ')}).`);
    return result;
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** The LangChain rows: counting a history and trimming it, LangChain's counter against ours. */
export async function langchainSuite(context: BenchContext): Promise<SuiteResult> {
  return offline(() => rowsOffline(context));
}

async function rowsOffline(context: BenchContext): Promise<SuiteResult> {
  // Quick mode: one short history (LangChain's trim of 50 messages takes most of a second a run).
  const sizes = context.quick ? [10] : [10, 50, 200];
  const runs: MeasureOptions = context.quick
    ? { warmup: 1, minIterations: 3, budgetMs: 100, unitsPerRun: 1 }
    : { warmup: 1, minIterations: 3, budgetMs: 2_000, unitsPerRun: 1 }; // LangChain's trim of 200 messages: ~15 s a run
  const langchain = new ChatOpenAI({ model: MODEL, apiKey: 'offline' });
  (langchain as unknown as { _encoding: Tiktoken })._encoding = new Tiktoken(o200kBase);
  const chunks = chunksOfBytes(corpusText(), 400, 600);

  const rows: BenchRow[] = [];
  const lengthOverFour: string[] = [];
  for (const [index, size] of sizes.entries()) {
    const history = buildHistory(chunks, size, index * 37);
    const exact = reference(history);
    const relative = (value: number) => (value - exact) / exact;
    const ours = createTokenCounter({ model: MODEL, cache: false })(history);
    const theirs = (await langchain.getNumTokensFromMessages(history)).totalCount;
    const theirTrimCount = (await Promise.all(history.map((message) => langchain.getNumTokens(message.content)))).reduce((sum, count) => sum + count, 0);
    const quarter = history.reduce((sum, message) => sum + Math.ceil(String(typeof message.content === 'string' ? message.content : '').length / 4), 0);
    lengthOverFour.push(`${size} messages ${signed(relative(quarter))}`);

    context.progress(`LangChain: count ${size} messages`);
    const count = new Map<string, Cell>([
      [TOLLGATE, { measurement: await measureAsync(async () => createTokenCounter({ model: MODEL, cache: false })(history), runs) }],
      [LANGCHAIN, { measurement: await measureAsync(() => langchain.getNumTokensFromMessages(history), runs) }],
    ]);
    rows.push({
      name: `count ${size} messages (${exact.toLocaleString('en-US')} tokens)`,
      throughputUnit: 'histories/s',
      cells: count,
      baseline: LANGCHAIN,
      subject: TOLLGATE,
      note: `error against the reference: tollgate ${signed(relative(ours))} (${ours} tokens), LangChain getNumTokensFromMessages ${signed(relative(theirs))} (${theirs} tokens); reference ${exact} tokens. tollgate's counter runs uncached here.`,
    });

    context.progress(`LangChain: trimMessages of ${size} messages`);
    const maxTokens = Math.floor(exact * BUDGET_SHARE);
    const trim = (tokenCounter: Parameters<typeof trimMessages>[1]['tokenCounter']) => trimMessages(history, { maxTokens, strategy: 'last', includeSystem: true, tokenCounter });
    const kept = async (tokenCounter: Parameters<typeof trimMessages>[1]['tokenCounter']) => {
      const tokens = reference(await trim(tokenCounter));
      return `${tokens} tokens${tokens > maxTokens ? ' (OVER the budget)' : ''}`;
    };
    const trimCells = new Map<string, Cell>([
      [TOLLGATE, { measurement: await measureAsync(() => trim(createTokenCounter({ model: MODEL })), runs) }],
      [LANGCHAIN, { measurement: await measureAsync(() => trim(langchain), runs) }],
    ]);
    rows.push({
      name: `trimMessages, ${size} messages to ${maxTokens.toLocaleString('en-US')} tokens`,
      throughputUnit: 'trims/s',
      cells: trimCells,
      baseline: LANGCHAIN,
      subject: TOLLGATE,
      note: `kept, by the reference count: tollgate ${await kept(createTokenCounter({ model: MODEL }))}, LangChain ${await kept(langchain)}. With the model as counter LangChain sums getNumTokens of each content, ${signed(relative(theirTrimCount))} against the reference on the whole history.`,
    });
  }
  return {
    seedRows: [],
    sections: [
      {
        title: 'LangChain: token counting for trimMessages',
        description: [
          `Chat histories of ${sizes.join(', ')} messages built from the demo corpus (many languages and code; every 8th exchange a tool call with its result), model ${MODEL}.`,
          `Count rows: ChatOpenAI.getNumTokensFromMessages against tollgate's createTokenCounter (uncached); trimMessages rows: \`trimMessages\` (strategy last, system kept, budget ${BUDGET_SHARE * 100}% of the history) with the ChatOpenAI model as its counter against createTokenCounter (cached, its default, built anew each run).`,
          'Speedup: LangChain time / tollgate time. Accuracy is against an independent reference: js-tiktoken in the mock OpenAI server (tools/mock-openai-server) counting the messages as ChatOpenAI sends them.',
          `Offline: LangChain would download its vocabulary from tiktoken.pages.dev; it is given js-tiktoken's bundled o200k_base ranks instead (what the download returns), and the global \`fetch\` refuses every request during the suite (the suite fails if any was tried). LangChain's offline fallback, \`length / 4\`, is not run through LangChain; the formula alone errs ${lengthOverFour.join(', ')} against the reference.`,
        ].join(' '),
        contenders: [TOLLGATE, LANGCHAIN],
        rows,
      },
    ],
  };
}
