// Shared test support: local mock servers, a ChatOpenAI aimed at one, the core limiter behind the
// plugin's limiter interface, and a guard that fails any request leaving 127.0.0.1.
import { ChatOpenAI } from '@langchain/openai';
import { startMockOpenAI, type MockOpenAIServer, type MockOpenAIOptions } from '@tollgate/mock-openai-server';
import { createLimiter, type LimiterOptions } from '@tollgate/core-native';
import { fromCoreLimiter, type TollgateLimiter } from '../src/index.js';

export const API_KEY = 'sk-langchain-test';

/** URLs of requests that tried to leave the loopback interface; a test fails when any is here. */
export const outsideRequests: string[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (url.hostname !== '127.0.0.1') {
    outsideRequests.push(url.origin);
    return Promise.reject(new TypeError(`Test guard: no request may leave 127.0.0.1 (${url.origin}).`));
  }
  return realFetch(input, init);
}) as typeof globalThis.fetch;

export async function startMock(options: MockOpenAIOptions = {}): Promise<MockOpenAIServer> {
  return startMockOpenAI({ apiKey: API_KEY, ...options });
}

export function chatFor(mock: MockOpenAIServer, fields: ConstructorParameters<typeof ChatOpenAI>[0] = {}): ChatOpenAI {
  return new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: API_KEY, maxRetries: 0, ...fields, configuration: { baseURL: mock.url, ...fields.configuration } });
}

/** Chat request bodies the mock received, in order. */
export function chatBodies(mock: MockOpenAIServer): Record<string, unknown>[] {
  return mock.requests.filter((request) => request.path === '/v1/chat/completions').map((request) => request.body as Record<string, unknown>);
}

/** The core limiter behind the plugin's interface, recording every settle. */
export function coreLimiter(options: LimiterOptions): {
  limiter: TollgateLimiter;
  costs: { keys: readonly string[]; tokens: number }[];
  settled: number[];
  released: () => number;
  core: ReturnType<typeof createLimiter>;
} {
  const core = createLimiter({ backend: 'fallback', ...options });
  const costs: { keys: readonly string[]; tokens: number }[] = [];
  const settled: number[] = [];
  let releases = 0;
  const adapted = fromCoreLimiter(core);
  const limiter: TollgateLimiter = {
    async acquire(keys, cost, options) {
      costs.push({ keys, tokens: cost.tokens });
      const lease = await adapted.acquire(keys, cost, options);
      return {
        settle: (usage) => {
          settled.push(usage.tokens);
          lease.settle(usage);
        },
        release: () => {
          releases += 1;
          return lease.release();
        },
      };
    },
  };
  return { limiter, costs, settled, released: () => releases, core };
}
