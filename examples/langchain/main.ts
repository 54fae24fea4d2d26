// A LangChain chat over real text: two conversations read release notes and a manual page, each
// history trimmed to a token budget before every turn, calls limited (in flight and tokens per
// minute) and routed over two local deployments, and a usage and cost summary at the end.
// Run from the repo root: pnpm exec tsx --conditions=tollgate-source examples/langchain/main.ts
// Every server is a local OpenAI-compatible mock on 127.0.0.1; nothing leaves the machine.
import { readFileSync } from 'node:fs';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { createLimiter, createRouter } from '@tollgate/core-native';
import { createConnectionPools } from '@tollgate/openai';
import { startMockOpenAI } from '@tollgate/mock-openai-server';
import {
  createTokenCounter,
  fromCoreLimiter,
  routedChatOpenAIFields,
  TollgateCallbackHandler,
  trimHistory,
  withOfflineTokenCounting,
} from '@tollgate/langchain';

const MODEL = 'gpt-4o-mini';
const HISTORY_BUDGET_TOKENS = 600;
const TURNS = 6;

// Two local deployments of the same model, as two regions would be.
const timing = { [MODEL]: { latencyMs: 40, firstTokenDelayMs: 60, chunkDelayMs: 4, completionTokens: 60 } };
const eastus = await startMockOpenAI({ apiKey: 'sk-eastus', models: timing });
const westus = await startMockOpenAI({ apiKey: 'sk-westus', models: timing });
const router = createRouter({
  strategy: 'least_busy',
  deployments: [
    { id: `${MODEL}@eastus`, model: MODEL, baseURL: eastus.url, apiKey: 'sk-eastus', contextWindow: 128_000 },
    { id: `${MODEL}@westus`, model: MODEL, baseURL: westus.url, apiKey: 'sk-westus', contextWindow: 128_000 },
  ],
});
const pools = createConnectionPools({ connectionsPerOrigin: 4 });

// Limits checked before every call: 2 calls in flight and 1,500 tokens a second per model.
const core = createLimiter({ maxInFlight: 2, tokensPerSecond: 1_500 });
const limiter = fromCoreLimiter(core);
const usage = new TollgateCallbackHandler({
  limits: { limiter, maxOutputTokens: 60 },
  onRecord: (record) =>
    console.log(
      `  [${record.tags.join(',')}] ${record.status} on ${record.model}: ${record.promptTokens} prompt + ${record.completionTokens} completion tokens` +
        ` (${record.usageSource}), $${(record.costUsd ?? 0).toFixed(6)}, ${record.latencyMs.toFixed(0)} ms` +
        (record.timeToFirstTokenMs === undefined ? '' : `, first token ${record.timeToFirstTokenMs.toFixed(0)} ms`) +
        (record.limitWaitMs > 1 ? `, waited ${record.limitWaitMs.toFixed(0)} ms for the limiter` : ''),
    ),
});

const chat = withOfflineTokenCounting(new ChatOpenAI({ ...routedChatOpenAIFields({ router, fetch: pools.fetch, model: MODEL }), maxTokens: 60 }));
const counter = createTokenCounter({ model: MODEL });

/** Paragraphs of a corpus text, long enough to talk about. */
function paragraphs(path: string): string[] {
  const text = readFileSync(new URL(`../corpus/${path}`, import.meta.url), 'utf8');
  return text.split(/\n\s*\n/).map((part) => part.trim()).filter((part) => part.length > 200);
}

async function converse(name: string, source: string, streaming: boolean): Promise<void> {
  const parts = paragraphs(source);
  let history: BaseMessage[] = [new SystemMessage(`You help the user understand ${source}. Answer in two sentences.`)];
  for (let turn = 0; turn < TURNS; turn += 1) {
    const passage = parts[turn % parts.length]!;
    history.push(new HumanMessage(`Here is a passage:\n\n${passage}\n\nWhat does it change for me?`));
    if (turn % 3 === 2) {
      // A retrieval step of the app, kept in the history as a tool exchange.
      const id = `call_${name}_${turn}`;
      history.push(new AIMessage({ content: '', tool_calls: [{ id, name: 'find_related', args: { passage: turn }, type: 'tool_call' }] }));
      history.push(new ToolMessage({ content: parts[(turn + 7) % parts.length]!, tool_call_id: id }));
    }
    const before = counter(history);
    history = await trimHistory(history, { tokenCounter: counter, maxTokens: HISTORY_BUDGET_TOKENS });
    console.log(`${name} turn ${turn + 1}: history ${before} -> ${counter(history)} tokens (${history.length} messages, starts with ${history[1]?.getType()})`);

    let answer = '';
    if (streaming) {
      for await (const chunk of await chat.stream(history, { callbacks: [usage], tags: [name] })) answer += String(chunk.content);
    } else {
      answer = String((await chat.invoke(history, { callbacks: [usage], tags: [name] })).content);
    }
    history.push(new AIMessage(answer));
  }
}

try {
  await Promise.all([converse('git-notes', 'en/git-relnotes-2.39.0.txt', true), converse('sed-fr', 'fr/sed.1.txt', false), converse('grep-de', 'de/grep.1.txt', true)]);

  const { total, byModel, byTag } = usage.snapshot();
  console.log('\nUsage and cost');
  console.log(`  total: ${total.runs} calls, ${total.promptTokens} prompt + ${total.completionTokens} completion tokens, $${total.costUsd.toFixed(6)}, ${total.estimatedRuns} estimated`);
  for (const [model, totals] of Object.entries(byModel)) console.log(`  model ${model}: ${totals.runs} calls, $${totals.costUsd.toFixed(6)}, mean latency ${(totals.latencyMs / totals.runs).toFixed(0)} ms`);
  for (const [tag, totals] of Object.entries(byTag)) console.log(`  conversation ${tag}: ${totals.runs} calls, ${totals.promptTokens + totals.completionTokens} tokens, $${totals.costUsd.toFixed(6)}`);
  for (const deployment of router.snapshot()) {
    console.log(`  deployment ${deployment.id}: ${deployment.calls} calls, ${deployment.errors} errors, ${deployment.tokensThisMinute} tokens this minute, first token ${deployment.timeToFirstTokenMs.toFixed(0)} ms`);
  }
  const servedByServers = [eastus, westus].reduce((sum, server) => sum + (server.stats().byModel[MODEL]?.promptTokens ?? 0), 0);
  console.log(`  prompt tokens the servers counted: ${servedByServers} (handler: ${total.promptTokens})`);
  console.log(`  most calls in flight at once on a server: ${Math.max(eastus.stats().maxInFlight, westus.stats().maxInFlight)}`);
} finally {
  await pools.close();
  router.close();
  core.close();
  await Promise.all([eastus.close(), westus.close()]);
}
