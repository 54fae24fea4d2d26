// Token counting for LangChain's trimMessages: tollgate's createTokenCounter against LangChain's own
// counting, on the same chat histories built from the demo corpus (real text in 16 languages and
// code, with tool-call exchanges). Reports speed as a ratio and accuracy against an independent
// reference (the mock server's js-tiktoken count of the messages as ChatOpenAI sends them).
//
// Run from the repo root: pnpm exec tsx --conditions=tollgate-source bench/src/langchain-counter.ts [--quick]
//
// Offline only. LangChain's ChatOpenAI downloads its vocabulary from tiktoken.pages.dev on first
// use; no request may leave this machine here, so its tokenizer is given js-tiktoken's bundled
// o200k_base ranks up front (`_encoding`), which is exactly what the download would produce. Its
// `length / 4` fallback (used when the download fails) is not run through LangChain: reaching it
// needs a failed network request per call. Its accuracy is shown from the same formula, marked.
process.env['TOLLGATE_BACKEND'] ??= 'native';

import { parseArgs } from 'node:util';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { createTokenCounter, toChatMessage } from '../../packages/langchain-plugin/src/index.js';
import { AIMessage, ChatOpenAI, countChatPrompt, HumanMessage, SystemMessage, ToolMessage, trimMessages, type BaseMessage } from '../../packages/langchain-plugin/test/support/peers.js';
import { chunksOfBytes, corpusText } from './corpus-text.js';

const MODEL = 'gpt-4o-mini';
const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
const quick = values.quick ?? false;
const SIZES = quick ? [10, 50] : [10, 50, 200];
const BUDGET_SHARE = 0.3;

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

/** Median wall time of `run` in ms over `rounds` rounds (fewer, at least 3, past 5 s), after one warm-up. */
async function medianMs(rounds: number, run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  const startedAt = performance.now();
  for (let round = 0; round < rounds && (round < 3 || performance.now() - startedAt < 5000); round += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const langchain = new ChatOpenAI({ model: MODEL, apiKey: 'offline' });
(langchain as unknown as { _encoding: Tiktoken })._encoding = new Tiktoken(o200kBase);
const chunks = chunksOfBytes(corpusText(), 400, 600);
const rounds = quick ? 5 : 15;
const histories = SIZES.map((size, index) => buildHistory(chunks, size, index * 37));

const kept = (messages: BaseMessage[], maxTokens: number) => {
  const tokens = reference(messages);
  return `${tokens} tokens${tokens > maxTokens ? ' (OVER budget)' : ''}`;
};
const rows: string[] = [];
const errors = { tollgate: [] as number[], langchainMessages: [] as number[], langchainTrim: [] as number[], lengthOverFour: [] as number[] };
for (const history of histories) {
  const exact = reference(history);
  const ours = createTokenCounter({ model: MODEL, cache: false })(history);
  const theirs = (await langchain.getNumTokensFromMessages(history)).totalCount;
  const theirTrimCount = (await Promise.all(history.map((message) => langchain.getNumTokens(message.content)))).reduce((sum, count) => sum + count, 0);
  const lengthOverFour = history.reduce((sum, message) => sum + Math.ceil(String(typeof message.content === 'string' ? message.content : '').length / 4), 0);
  const relative = (value: number) => (value - exact) / exact;
  errors.tollgate.push(relative(ours));
  errors.langchainMessages.push(relative(theirs));
  errors.langchainTrim.push(relative(theirTrimCount));
  errors.lengthOverFour.push(relative(lengthOverFour));

  const countOurs = await medianMs(rounds, () => createTokenCounter({ model: MODEL, cache: false })(history));
  const countTheirs = await medianMs(rounds, () => langchain.getNumTokensFromMessages(history));
  const maxTokens = Math.floor(exact * BUDGET_SHARE);
  const trimOurs = await medianMs(rounds, () => trimMessages(history, { maxTokens, strategy: 'last', includeSystem: true, tokenCounter: createTokenCounter({ model: MODEL }) }));
  const trimTheirs = await medianMs(rounds, () => trimMessages(history, { maxTokens, strategy: 'last', includeSystem: true, tokenCounter: langchain }));
  const keptOurs = await trimMessages(history, { maxTokens, strategy: 'last', includeSystem: true, tokenCounter: createTokenCounter({ model: MODEL }) });
  const keptTheirs = await trimMessages(history, { maxTokens, strategy: 'last', includeSystem: true, tokenCounter: langchain });

  rows.push(
    `| ${history.length} msgs, ${exact} tokens | count | ${countOurs.toFixed(3)} | ${countTheirs.toFixed(3)} | ${(countTheirs / countOurs).toFixed(1)}x | |`,
    `| budget ${maxTokens} | trimMessages | ${trimOurs.toFixed(3)} | ${trimTheirs.toFixed(3)} | ${(trimTheirs / trimOurs).toFixed(1)}x | kept: tollgate ${kept(keptOurs, maxTokens)}, LangChain ${kept(keptTheirs, maxTokens)} |`,
  );
}

const percent = (list: number[]) => list.map((value) => `${(value * 100).toFixed(1)}%`).join(' / ');
process.stdout.write(
  [
    `LangChain token counting vs tollgate (${MODEL}, ${process.env['TOLLGATE_BACKEND']} backend, ${quick ? 'quick' : 'full'}; median ms of ${rounds} rounds)`,
    '',
    '| history | operation | tollgate ms | LangChain ms | LangChain / tollgate | kept by the trim (reference count) |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Error against the reference count, per history (${SIZES.join(' / ')} messages):`,
    `- tollgate createTokenCounter: ${percent(errors.tollgate)}`,
    `- LangChain ChatOpenAI.getNumTokensFromMessages (vocabulary preloaded): ${percent(errors.langchainMessages)}`,
    `- LangChain trimMessages with the model as counter (sum of getNumTokens): ${percent(errors.langchainTrim)}`,
    `- length / 4, LangChain's offline fallback (formula only, not run through LangChain): ${percent(errors.lengthOverFour)}`,
    '',
  ].join('\n'),
);
