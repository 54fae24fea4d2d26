// A flaky deployment is cooled and traffic moves to the healthy one, then comes back.
// Run from the repo root: node --import tsx examples/routing/flaky-deployment.ts
// Two local OpenAI-compatible servers on 127.0.0.1 stand in for two regions; "eastus" fails its
// next 6 requests with 503 and the router (allowedFails 1, cooldown 1.5 s) moves traffic away.
import { subscribe } from 'node:diagnostics_channel';
import OpenAI from 'openai';
import { startMockOpenAI } from '@tollgate/mock-openai-server';
import { createRouter, ROUTER_CHANNELS, runRouted } from '@tollgate/core-native';
import { createConnectionPools } from '@tollgate/openai';

const eastus = await startMockOpenAI({ apiKey: 'sk-east' });
const westus = await startMockOpenAI({ apiKey: 'sk-west' });
eastus.failNext(6, { status: 503 });

const router = createRouter({
  strategy: 'simple_shuffle',
  allowedFails: 1,
  cooldownMs: 1_500,
  retries: 2,
  backoffBaseMs: 20,
  deployments: [
    { id: 'gpt-4o-mini@eastus', model: 'gpt-4o-mini', baseURL: eastus.url, apiKey: 'sk-east', weight: 3 },
    { id: 'gpt-4o-mini@westus', model: 'gpt-4o-mini', baseURL: westus.url, apiKey: 'sk-west', weight: 1 },
  ],
});
const pools = createConnectionPools({ connectionsPerOrigin: 8 });
const clients = new Map<string, OpenAI>();

subscribe(ROUTER_CHANNELS.cooldown, (message) => {
  const { deployment, untilMs } = message as { deployment: string; untilMs: number };
  process.stdout.write(`  cooldown: ${deployment} until +${untilMs - started} ms\n`);
});

const started = Date.now();
for (let round = 0; round < 30; round += 1) {
  const attempts: string[] = [];
  await runRouted(router, 'gpt-4o-mini', (deployment) => {
    attempts.push(deployment.id.split('@')[1]!);
    let client = clients.get(deployment.id);
    if (client === undefined) {
      client = new OpenAI({ baseURL: deployment.baseURL, apiKey: deployment.apiKey, maxRetries: 0, fetch: pools.fetch });
      clients.set(deployment.id, client);
    }
    return client.chat.completions.create({ model: deployment.providerModel, messages: [{ role: 'user', content: 'ping' }], max_tokens: 2 });
  });
  process.stdout.write(`request ${String(round).padStart(2)} at +${String(Date.now() - started).padStart(4)} ms: ${attempts.join(' -> ')}\n`);
  await new Promise((resolve) => setTimeout(resolve, 100));
}

for (const row of router.snapshot()) {
  process.stdout.write(`${row.id}: calls ${row.calls}, errors ${row.errors}, p50 ${row.latencyMs.p50.toFixed(1)} ms, cooling ${row.cooling}\n`);
}
process.stdout.write(`pool: ${JSON.stringify(pools.stats().origins.map(({ connected, free, running }) => ({ connected, free, running })))}\n`);
await pools.close();
await Promise.all([eastus.close(), westus.close()]);
