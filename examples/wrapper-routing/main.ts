// One wrapped OpenAI client routed over three local deployments — fast, slow and flaky — under
// RPM and TPM limits. Prints where the calls went, how long the limiter made them wait, which
// deployments cooled and what it all cost.
// Run from the repo root: node --conditions=tollgate-source --import tsx examples/wrapper-routing/main.ts
// Everything listens on 127.0.0.1; 60 calls, 6 at a time, then it stops.
import { subscribe } from 'node:diagnostics_channel';
import OpenAI from 'openai';
import { startMockOpenAI } from '@tollgate/mock-openai-server';
import { ROUTER_CHANNELS } from '@tollgate/core-native';
import { CALL_CHANNELS, callOptions, closeWrapper, getStats, wrapOpenAI, type CallLimiter } from '@tollgate/openai';
import { acquireAll, createLimiter } from '@tollgate/core-native';

const fast = await startMockOpenAI({ apiKey: 'sk-fast', models: { 'gpt-4o-mini': { latencyMs: 10 } } });
const slow = await startMockOpenAI({ apiKey: 'sk-slow', models: { 'gpt-4o-mini': { latencyMs: 250, firstTokenDelayMs: 200 } } });
const flaky = await startMockOpenAI({ apiKey: 'sk-flaky', models: { 'gpt-4o-mini': { latencyMs: 20 } } });

// Model-wide limits in the rate limiter: at most 15 requests per second and 40,000 tokens per minute.
const modelLimiter = createLimiter({ requestsPerSecond: 15, tokensPerMinute: 40_000 });
const limiter: CallLimiter = {
  acquire: (keys, cost, options) => acquireAll(keys.filter((key) => key.startsWith('model:')).map((key) => ({ limiter: modelLimiter, key })), cost, options),
};

const client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 }), {
  deployments: {
    'gpt-4o-mini': [
      { id: 'fast', baseURL: fast.url, apiKey: 'sk-fast', rpm: 25, tpm: 20_000, weight: 6 },
      { id: 'slow', baseURL: slow.url, apiKey: 'sk-slow', rpm: 120, tpm: 100_000, weight: 1 },
      { id: 'flaky', baseURL: flaky.url, apiKey: 'sk-flaky', rpm: 120, tpm: 100_000, weight: 3 },
    ],
  },
  routing: { strategy: 'simple_shuffle', retries: 2, backoffBaseMs: 20, allowedFails: 1, cooldownMs: 1_000, seed: 42 },
  limits: { limiter, defaultOutputTokens: 64 },
  pools: { connectionsPerOrigin: 8 },
});

const cooldowns: string[] = [];
subscribe(ROUTER_CHANNELS.cooldown, (message) => {
  const { deployment, untilMs } = message as { deployment: string; untilMs: number };
  cooldowns.push(`${deployment} for ${Math.round(untilMs - Date.now())} ms`);
});
let retries = 0;
subscribe(CALL_CHANNELS.retry, () => void (retries += 1));

const CALLS = 60;
const CONCURRENCY = 6;
let next = 0;
let failed = 0;
async function worker(): Promise<void> {
  while (next < CALLS) {
    const index = next++;
    // Now and then the flaky deployment's next request gets a 429 (Retry-After 1 s), a 500, or a
    // connection dropped mid-stream.
    if (index === 5 || index === 40) flaky.failNext(1, { status: 429, retryAfterSeconds: 1 });
    if (index === 20) flaky.failNext(1, { status: 500 });
    if (index === 30) flaky.dropNext(1);
    const streamed = index % 2 === 0;
    const body = { model: 'gpt-4o-mini', max_tokens: 40, messages: [{ role: 'user' as const, content: `Question number ${index}: what is a toll gate?` }] };
    try {
      if (streamed) {
        const stream = await client.chat.completions.create({ ...body, stream: true }, callOptions({ key: `user-${index % 4}` }));
        for await (const chunk of stream) void chunk;
      } else {
        await client.chat.completions.create(body, callOptions({ key: `user-${index % 4}` }));
      }
    } catch {
      failed += 1;
    }
  }
}

const startedAt = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
const stats = getStats(client)!;
const usage = stats.usage;

console.log(`${CALLS} calls in ${Date.now() - startedAt} ms, ${failed} failed, ${retries} retries\n`);
console.log('deployment  calls  errors  p50 ms  in flight  cooling');
for (const row of stats.deployments) {
  const calls = usage.byDeployment[row.id]?.requests ?? 0;
  console.log(`${row.id.padEnd(10)}  ${String(calls).padStart(5)}  ${String(row.errors).padStart(6)}  ${row.latencyMs.p50.toFixed(0).padStart(6)}  ${String(row.inFlight).padStart(9)}  ${row.cooling}`);
}
console.log(`\nlimiter: ${usage.total.limiterWaits} calls waited, ${usage.total.limiterWaitMs.toFixed(0)} ms in total`);
console.log(`cooldowns: ${cooldowns.length === 0 ? 'none' : cooldowns.join(', ')}`);
console.log(`tokens: ${usage.total.promptTokensReported} prompt (provider), ${usage.total.completionTokens} completion; cost $${usage.total.costUsd.toFixed(6)}`);

await closeWrapper(client);
await Promise.all([fast.close(), slow.close(), flaky.close()]);
