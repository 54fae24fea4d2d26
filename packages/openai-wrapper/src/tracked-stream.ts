import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Stream } from 'openai/streaming';
import type { ChatCall } from './chat-call.js';

type StreamConstructor = new (
  iterator: () => AsyncIterator<ChatCompletionChunk>,
  controller: AbortController,
  client?: unknown,
) => Stream<ChatCompletionChunk>;

/** True for the final usage chunk: it has `usage` and no choices (`[]`, or `null` on some servers). */
export function isUsageChunk(chunk: ChatCompletionChunk): boolean {
  const choices = (chunk as { choices?: unknown }).choices;
  return (
    chunk.usage != null && (choices == null || (Array.isArray(choices) && choices.length === 0))
  );
}

/** Appends the text a chunk carries (content, refusal, tool-call arguments and names). */
function collectText(chunk: ChatCompletionChunk, parts: string[]): void {
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices) {
    const delta = choice?.delta;
    if (delta == null) continue;
    if (typeof delta.content === 'string') parts.push(delta.content);
    if (typeof delta.refusal === 'string') parts.push(delta.refusal);
    for (const call of delta.tool_calls ?? []) {
      if (typeof call.function?.name === 'string') parts.push(call.function.name);
      if (typeof call.function?.arguments === 'string') parts.push(call.function.arguments);
    }
  }
}

/**
 * Returns a Stream of the SDK's own class over `stream` that records the call's usage once.
 *
 * When `hideUsage` is true (the wrapper asked for usage, not the caller), the final usage chunk is
 * not yielded and the `usage: null` the server adds to every other chunk is removed, so the caller
 * iterates exactly what an unwrapped client would give. `.tee()`, `.toReadableStream()` and
 * `controller` keep working because they are the SDK's own methods over the new iterator.
 */
export function trackStream(
  stream: Stream<ChatCompletionChunk>,
  call: ChatCall,
  hideUsage: boolean,
  client: unknown,
): Stream<ChatCompletionChunk> {
  const controller = stream.controller;

  async function* iterate(): AsyncGenerator<ChatCompletionChunk> {
    const textParts: string[] = [];
    let usage: unknown;
    let finished = false;
    let failure: unknown;
    let failed = false;
    try {
      for await (const chunk of stream) {
        if (call.responseModel === undefined && typeof chunk.model === 'string')
          call.responseModel = chunk.model;
        if (chunk.usage != null) usage = chunk.usage;
        collectText(chunk, textParts);
        if (hideUsage) {
          if (isUsageChunk(chunk)) continue;
          if (chunk.usage === null) delete (chunk as { usage?: unknown }).usage;
        }
        yield chunk;
      }
      finished = !controller.signal.aborted;
    } catch (error) {
      failed = true;
      failure = error;
      throw error;
    } finally {
      const status = failed ? 'error' : finished ? 'ok' : 'aborted';
      call.settle({
        status,
        usage,
        streamedText: textParts.join(''),
        responded: true,
        ...(failed ? { error: failure } : {}),
      });
    }
  }

  const StreamClass = stream.constructor as StreamConstructor;
  return new StreamClass(() => iterate(), controller, client);
}
