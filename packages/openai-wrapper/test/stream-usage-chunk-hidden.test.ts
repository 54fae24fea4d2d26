import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, normalizeChunks, type Harness } from './helpers.js';

let harness: Harness;
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'please stream a short answer back' },
];

beforeAll(async () => {
  harness = await startHarness({
    models: {
      'acme-null-choices': { usageChunkChoices: 'null', encoding: 'o200k_base' },
      'acme-no-usage': { streamUsage: false, encoding: 'o200k_base' },
      'gpt-4.1-nano': { streamUsage: false },
    },
  });
});
afterAll(() => harness.mock.close());

async function collect(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('streams of a wrapped client', () => {
  it('asks for usage, hides the usage chunk, and yields what an unwrapped client yields', async () => {
    harness.records.length = 0;
    const expected = await collect(
      await harness.plain.chat.completions.create({ model: 'gpt-4o', messages, stream: true }),
    );
    const actual = await collect(
      await harness.wrapped.chat.completions.create({ model: 'gpt-4o', messages, stream: true }),
    );
    const sent = harness.mock.requests.at(-1)?.body as {
      stream_options?: { include_usage?: boolean };
    };

    expect(sent.stream_options?.include_usage).toBe(true);
    expect(normalizeChunks(actual)).toEqual(normalizeChunks(expected));
    expect(actual.some((chunk) => 'usage' in (chunk as object))).toBe(false);
    expect(harness.records[0]?.usageSource).toBe('provider');
  });

  it('keeps the caller’s other stream_options and does not touch the caller’s body', async () => {
    const body = {
      model: 'gpt-4o',
      messages,
      stream: true as const,
      stream_options: { include_obfuscation: false },
    };
    await collect(await harness.wrapped.chat.completions.create(body));
    const sent = harness.mock.requests.at(-1)?.body as { stream_options?: Record<string, unknown> };

    expect(sent.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
    expect(body.stream_options).toEqual({ include_obfuscation: false });
  });

  it('passes the usage chunk through when the caller asked for it', async () => {
    harness.records.length = 0;
    const request = {
      model: 'gpt-4o-mini',
      messages,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const expected = await collect(await harness.plain.chat.completions.create(request));
    const actual = await collect(await harness.wrapped.chat.completions.create(request));
    const last = actual.at(-1) as OpenAI.Chat.ChatCompletionChunk;

    expect(normalizeChunks(actual)).toEqual(normalizeChunks(expected));
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBe(16);
    expect(harness.records[0]?.completionTokens).toBe(16);
  });

  it('hides a usage chunk whose choices is null', async () => {
    harness.records.length = 0;
    const actual = await collect(
      await harness.wrapped.chat.completions.create({
        model: 'acme-null-choices',
        messages,
        stream: true,
      }),
    );

    expect(actual.every((chunk) => Array.isArray((chunk as { choices: unknown }).choices))).toBe(
      true,
    );
    expect(harness.records[0]?.usageSource).toBe('provider');
    expect(harness.records[0]?.promptTokens).toBeGreaterThan(0);
  });

  it('estimates usage from the streamed text when the server sends none', async () => {
    harness.records.length = 0;
    const before = harness.mock.stats().byModel['acme-no-usage']?.completionTokens ?? 0;
    await collect(
      await harness.wrapped.chat.completions.create({
        model: 'acme-no-usage',
        messages,
        stream: true,
      }),
    );
    const served = (harness.mock.stats().byModel['acme-no-usage']?.completionTokens ?? 0) - before;
    const record = harness.records[0];

    expect(record?.usageSource).toBe('estimated');
    expect(record?.completionTokens).toBe(served);
    expect(record?.promptTokens).toBe(record?.promptTokensCounted);
    expect(record?.promptTokensCountedEstimated).toBe(true);
    expect(record?.costUsd).toBeUndefined();
    expect(record?.costUnavailableReason).toBe('unknown-model');
  });

  it('prices nothing when neither the provider nor the local count gives the prompt size', async () => {
    harness.records.length = 0;
    // An image detail the local counter refuses to guess at; the server takes it as it is.
    const unknownPart = [{ type: 'text', text: 'Describe this.' }, { type: 'image_url', image_url: { url: 'https://images.invalid/a.png', detail: 'ultra' } }] as unknown as string;
    await collect(await harness.wrapped.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: unknownPart }], stream: true }));
    const record = harness.records[0];

    expect(record).toMatchObject({ status: 'ok', usageSource: 'estimated', promptTokensCounted: undefined, promptTokens: undefined });
    expect(record?.completionTokens).toBeGreaterThan(0);
    expect(record?.costUsd).toBeUndefined();
    expect(record?.costUnavailableReason).toBe('no-usage');
  });

  it('keeps tee() and toReadableStream() working', async () => {
    harness.records.length = 0;
    const stream = await harness.wrapped.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const [left, right] = stream.tee();
    const leftChunks = await collect(left);
    const rightChunks = await collect(right);
    const readable = (
      await harness.wrapped.chat.completions.create({ model: 'gpt-4o', messages, stream: true })
    ).toReadableStream();
    const text = await new Response(readable).text();
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OpenAI.Chat.ChatCompletionChunk);

    expect(rightChunks).toEqual(leftChunks);
    expect(leftChunks.length).toBeGreaterThan(2);
    expect(lines.some((chunk) => chunk.choices.length === 0)).toBe(false);
    expect(harness.records).toHaveLength(2);
    expect(harness.records.every((record) => record.usageSource === 'provider')).toBe(true);
  });
});
