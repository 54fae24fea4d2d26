import OpenAI from 'openai';
import {
  startMockOpenAI,
  type MockOpenAIOptions,
  type MockOpenAIServer,
} from '@tollgate/mock-openai-server';
import { wrapOpenAI, type UsageRecord } from '../src/index.js';

export const API_KEY = 'sk-tollgate-test-SECRET-4f9a2c';

/** A mock server, an unwrapped client and a wrapped client collecting its records. */
export interface Harness {
  mock: MockOpenAIServer;
  plain: OpenAI;
  wrapped: OpenAI;
  records: UsageRecord[];
}

export async function startHarness(options: MockOpenAIOptions = {}): Promise<Harness> {
  const mock = await startMockOpenAI({ apiKey: API_KEY, ...options });
  const records: UsageRecord[] = [];
  const plain = new OpenAI({ baseURL: mock.url, apiKey: API_KEY, maxRetries: 0 });
  const wrapped = wrapOpenAI(new OpenAI({ baseURL: mock.url, apiKey: API_KEY, maxRetries: 0 }), {
    onUsage: (record) => records.push(record),
  });
  return { mock, plain, wrapped, records };
}

/** Chunks with the per-request fields (id, created) blanked, for comparing two streams. */
export function normalizeChunks(chunks: readonly unknown[]): unknown[] {
  return chunks.map((chunk) => ({ ...(chunk as object), id: 'x', created: 0 }));
}

/** Waits until `predicate` holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
