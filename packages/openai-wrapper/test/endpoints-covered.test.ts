import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeWrapper, TollgateOpenAIError, wrapOpenAI, type UsageRecord } from '../src/index.js';
import { startMocks, startScriptedServer, UNUSED_BASE_URL, type ScriptedServer } from './support/local-servers.js';
import type { MockOpenAIServer } from '@tollgate/mock-openai-server';

let mocks: MockOpenAIServer[];
let keys: string[];
let responsesServer: ScriptedServer;
let records: UsageRecord[];
let client: OpenAI;

const USAGE = { input_tokens: 9, output_tokens: 2, total_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };
const RESPONSE = {
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'gpt-4o-2024-08-06',
  output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi there', annotations: [] }] }],
  usage: USAGE,
};

function answerResponses(response: ServerResponse, body: Record<string, unknown>): void {
  if (body.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_responses' });
    response.end(JSON.stringify(RESPONSE));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_responses_stream' });
  const events = [
    { type: 'response.created', sequence_number: 0, response: { ...RESPONSE, status: 'in_progress', output: [], usage: null } },
    { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
    { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', logprobs: [] },
    { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: ' there', logprobs: [] },
    { type: 'response.completed', sequence_number: 3, response: RESPONSE },
  ];
  for (const event of events) response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  response.end();
}

beforeAll(async () => {
  ({ mocks, keys } = await startMocks(1));
  responsesServer = await startScriptedServer((_request, response, body) => answerResponses(response, body));
  records = [];
  client = wrapOpenAI(new OpenAI({ apiKey: 'sk-unused', baseURL: UNUSED_BASE_URL, maxRetries: 0 }), {
    deployments: {
      'gpt-4o': [{ id: 'responses', baseURL: responsesServer.url, apiKey: 'sk-responses' }],
      'gpt-4o-mini': [{ id: 'mock', baseURL: mocks[0]!.url, apiKey: keys[0] }],
      'text-embedding-3-small': [{ id: 'embed', baseURL: mocks[0]!.url, apiKey: keys[0] }],
      'gpt-3.5-turbo-instruct': [{ id: 'legacy', baseURL: mocks[0]!.url, apiKey: keys[0] }],
      'small-window': [{ id: 'tiny', baseURL: mocks[0]!.url, apiKey: keys[0], model: 'gpt-4o-mini', contextWindow: 20 }],
      'fallback-window': [{ id: 'tiny-2', baseURL: mocks[0]!.url, apiKey: keys[0], model: 'gpt-4o-mini', contextWindow: 20 }],
    },
    routing: { contextWindowFallbacks: { 'fallback-window': ['gpt-4o-mini'] } },
    onUsage: (record) => records.push(record),
  });
});
afterAll(async () => {
  await closeWrapper(client);
  await Promise.all([mocks[0]!.close(), responsesServer.close()]);
});
afterEach(() => {
  records.length = 0;
  mocks[0]!.reset();
});

describe('every covered endpoint goes through the call path', () => {
  it('responses.create: output_text kept, usage and cost recorded', async () => {
    const response = await client.responses.create({ model: 'gpt-4o', input: 'Say hi', instructions: 'Be brief.' });

    expect(response.output_text).toBe('Hi there');
    expect(response._request_id).toBe('req_responses');
    expect(records[0]).toMatchObject({ operation: 'responses', deployment: 'responses', usageSource: 'provider', promptTokens: 9, completionTokens: 2, requestId: 'req_responses' });
    expect(records[0]!.costUsd).toBeGreaterThan(0);
    expect(records[0]!.promptTokensCounted).toBeGreaterThan(0);
  });

  it('responses.stream: the helper sees every event and the usage of response.completed is recorded', async () => {
    const deltas: string[] = [];
    const runner = client.responses.stream({ model: 'gpt-4o', input: 'Say hi' });
    runner.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await runner.finalResponse();
    const plain = new OpenAI({ apiKey: 'sk-responses', baseURL: responsesServer.url, maxRetries: 0 });
    const expected = await plain.responses.stream({ model: 'gpt-4o', input: 'Say hi' }).finalResponse();

    expect(deltas).toEqual(['Hi', ' there']);
    expect(final).toEqual(expected);
    expect(final.output[0]).toMatchObject({ content: [{ text: 'Hi there' }] });
    expect(records[0]).toMatchObject({ operation: 'responses', streamed: true, status: 'ok', usageSource: 'provider', totalTokens: 11, responseModel: 'gpt-4o-2024-08-06' });
  });

  it('embeddings.create: vectors decoded as the SDK does, prompt counted exactly', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha beta', 'gamma'] });

    expect(Array.isArray(result.data[0]?.embedding)).toBe(true);
    expect(typeof result.data[0]?.embedding[0]).toBe('number');
    expect(records[0]).toMatchObject({ operation: 'embeddings', deployment: 'embed', usageSource: 'provider', completionTokens: 0 });
    expect(records[0]!.promptTokensCounted).toBe(result.usage.prompt_tokens);
    expect(records[0]!.costUsd).toBeGreaterThan(0);
  });

  it('completions.create, plain and streamed with the usage chunk hidden', async () => {
    const plain = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', max_tokens: 8 });
    const chunks: OpenAI.Completions.Completion[] = [];
    for await (const chunk of await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', max_tokens: 8, stream: true }))
      chunks.push(chunk);

    expect(plain.choices[0]?.text).toBeTypeOf('string');
    expect(chunks.every((chunk) => chunk.choices.length > 0 && chunk.usage == null)).toBe(true);
    expect(records.map((record) => [record.operation, record.streamed, record.usageSource])).toEqual([
      ['completions', false, 'provider'],
      ['completions', true, 'provider'],
    ]);
    expect(records[0]!.promptTokensCounted).toBe(plain.usage?.prompt_tokens);
  });

  it('chat.completions.parse and .stream on a routed model, and asResponse() still readable', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hello there' }];
    const parsed = await client.chat.completions.parse({ model: 'gpt-4o-mini', messages });
    const final = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages }).finalChatCompletion();
    const raw = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).asResponse();
    const body = (await raw.json()) as OpenAI.Chat.ChatCompletion;

    expect(final.choices[0]?.message.content).toBe(parsed.choices[0]?.message.content);
    expect(body.object).toBe('chat.completion');
    expect(records.map((record) => [record.deployment, record.streamed, record.usageSource])).toEqual([
      ['mock', false, 'provider'],
      ['mock', true, 'provider'],
      ['mock', false, 'provider'],
    ]);
  });
});

describe('context window', () => {
  const long: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'word '.repeat(40) }];

  it('refuses before sending with ERR_CONTEXT_WINDOW_EXCEEDED when no deployment fits', async () => {
    const error = await client.chat.completions.create({ model: 'small-window', messages: long }).catch((caught: unknown) => caught);

    expect(TollgateOpenAIError.isInstance(error)).toBe(true);
    expect((error as TollgateOpenAIError).code).toBe('ERR_CONTEXT_WINDOW_EXCEEDED');
    expect((error as TollgateOpenAIError).contextWindow).toBe(20);
    expect((error as TollgateOpenAIError).requestedTokens).toBeGreaterThan(40);
    expect(mocks[0]!.stats().requests).toBe(0);
    expect(records[0]).toMatchObject({ status: 'error', attempts: 0, error: { name: 'TollgateOpenAIError', code: 'ERR_CONTEXT_WINDOW_EXCEEDED' } });
  });

  it('takes the context-window fallback when one is configured', async () => {
    const completion = await client.chat.completions.create({ model: 'fallback-window', messages: long });

    expect(completion.model).toBe('gpt-4o-mini');
    expect(records[0]).toMatchObject({ status: 'ok', model: 'fallback-window', servedModel: 'gpt-4o-mini', deployment: 'mock' });
  });

  it('refuses an unrouted call whose requested output exceeds the registry window', async () => {
    const direct = wrapOpenAI(new OpenAI({ apiKey: keys[0], baseURL: mocks[0]!.url, maxRetries: 0 }));
    const error = await direct.chat.completions
      .create({ model: 'gpt-4o', messages: long, max_tokens: 10_000_000 })
      .catch((caught: unknown) => caught);

    expect((error as TollgateOpenAIError).code).toBe('ERR_CONTEXT_WINDOW_EXCEEDED');
    expect(mocks[0]!.stats().requests).toBe(0);
  });
});
