import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAIServer } from '../src/index.js';

let mock: MockOpenAIServer;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'stream these few words back to me' }];

beforeAll(async () => {
  mock = await startMockOpenAI({
    models: {
      'acme-null-choices': { usageChunkChoices: 'null' },
      'acme-no-usage': { streamUsage: false },
    },
  });
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-mock-stream', maxRetries: 0 });
});
afterAll(() => mock.close());

async function rawEvents(body: Record<string, unknown>): Promise<string[]> {
  const response = await fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  expect(text.endsWith('\n\n')).toBe(true);
  return text.trimEnd().split('\n\n');
}

describe('chat streaming', () => {
  it('sends role, content deltas, a finish chunk, the usage chunk, then [DONE]', async () => {
    const events = await rawEvents({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const payloads = events.slice(0, -1).map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return JSON.parse(event.slice('data: '.length));
    });

    expect(events.at(-1)).toBe('data: [DONE]');
    expect(payloads[0].object).toBe('chat.completion.chunk');
    expect(payloads[0].choices[0].delta.role).toBe('assistant');
    const finish = payloads.at(-2);
    expect(finish.choices[0]).toMatchObject({ index: 0, delta: {}, finish_reason: 'stop' });
    const usageChunk = payloads.at(-1);
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.completion_tokens).toBe(16);
    for (const payload of payloads.slice(0, -1)) expect(payload.usage).toBeNull();
    expect(new Set(payloads.map((payload) => payload.id)).size).toBe(1);
  });

  it('sends no usage chunk and no usage field unless include_usage is true', async () => {
    const events = await rawEvents({ model: 'gpt-4o', messages, stream: true });
    const payloads = events.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)));

    expect(events.at(-1)).toBe('data: [DONE]');
    expect(payloads.at(-1).choices[0].finish_reason).toBe('stop');
    for (const payload of payloads) expect('usage' in payload).toBe(false);
  });

  it('streams the same text and usage as the non-streaming answer', async () => {
    const whole = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      max_tokens: 7,
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      max_tokens: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }

    expect(text).toBe(whole.choices[0]?.message.content);
    expect(usage).toEqual(whole.usage);
  });

  it('can send choices null in the usage chunk, as some compatible servers do', async () => {
    const events = await rawEvents({
      model: 'acme-null-choices',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const usageChunk = JSON.parse(events.at(-2)?.slice('data: '.length) ?? '{}');

    expect(usageChunk.choices).toBeNull();
    expect(usageChunk.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('can ignore include_usage, as servers without stream usage do', async () => {
    const events = await rawEvents({
      model: 'acme-no-usage',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });

    expect(events.join('\n')).not.toContain('"usage"');
  });

  it('waits firstTokenDelayMs before the first content chunk', async () => {
    mock.configureModel('gpt-4o-mini', { firstTokenDelayMs: 150 });
    const started = Date.now();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    let firstContentAt = 0;
    for await (const chunk of stream) {
      if (firstContentAt === 0 && chunk.choices[0]?.delta.content) firstContentAt = Date.now();
    }
    mock.configureModel('gpt-4o-mini', { firstTokenDelayMs: 0 });

    expect(firstContentAt - started).toBeGreaterThanOrEqual(140);
  });
});
