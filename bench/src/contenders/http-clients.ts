// HTTP contenders for the connection_pool rows: our pools' `fetch` (a string body goes straight
// to the pool), our pools as the dispatcher of Node's global fetch, undici's own fetch on a plain
// Agent, and Node's global fetch (what the openai SDK uses by default). Each request is a small
// chat-completion POST to a local server, read to the end.
import { Agent, fetch as undiciFetch } from 'undici';

import { createConnectionPools } from '../../../packages/openai-wrapper/src/pool/index.js';
import type { PoolContender } from '../workers/jobs.js';

/** A client ready to run: `step(i)` sends one request to url i (mod the url count). */
export interface HttpRunner {
  readonly step: (i: number) => Promise<void>;
  close(): Promise<void>;
}

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

/** Builds `contender` with at most `connections` connections per origin where it has the knob. */
export function httpRunner(contender: PoolContender, urls: readonly string[], connections: number): HttpRunner {
  let send: typeof globalThis.fetch;
  let close: () => Promise<void>;
  if (contender === 'pools') {
    const pools = createConnectionPools({ connectionsPerOrigin: connections });
    send = pools.fetch;
    close = () => pools.close();
  } else if (contender === 'pools-global') {
    const pools = createConnectionPools({ connectionsPerOrigin: connections });
    send = ((input: string, init?: object) => globalThis.fetch(input, { ...init, dispatcher: pools } as unknown as RequestInit)) as typeof fetch;
    close = () => pools.close();
  } else if (contender === 'undici') {
    const agent = new Agent({ connections });
    send = ((input: string, init?: object) => undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof fetch;
    close = () => agent.close();
  } else {
    send = globalThis.fetch;
    close = async () => undefined;
  }
  const count = urls.length;
  let failures = 0;
  return {
    async step(i) {
      const response = await send(urls[i % count]!, { method: 'POST', body: BODY, headers: HEADERS });
      await response.text();
      if (response.status !== 200) failures++;
    },
    async close() {
      await close();
      if (failures > 0) throw new Error(`${contender}: ${failures} requests did not answer 200`);
    },
  };
}

/** Display names of the HTTP contenders. */
export const HTTP_LABELS: Record<PoolContender, string> = {
  pools: 'tollgate pools',
  'pools-global': 'tollgate pools under global fetch',
  undici: 'plain undici (Agent)',
  default: 'openai default fetch',
};
