import type { Stream } from 'openai/streaming';
import type { ActiveCall, CallOperation } from './call-path/index.js';
import { isUsageChunk, observeChunk, type ObservedOutput } from './stream-observer.js';

type StreamConstructor = new (
  iterator: () => AsyncIterator<unknown>,
  controller: AbortController,
  client?: unknown,
) => Stream<unknown>;

/** A stream whose first item was already read (inside the attempt, so a failure could retry). */
export interface OpenedStream {
  readonly stream: Stream<unknown>;
  readonly iterator: AsyncIterator<unknown>;
  readonly first: IteratorResult<unknown>;
}

/**
 * Opens `stream`: reads its first item. Throws what the first read throws, after aborting the
 * stream, so the attempt can be retried on another deployment.
 */
export async function openStream(stream: Stream<unknown>, onFirst: () => void): Promise<OpenedStream> {
  const iterator = stream[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    if (first.done !== true) onFirst();
    return { stream, iterator, first };
  } catch (error) {
    stream.controller.abort();
    throw error;
  }
}

/**
 * Ends the calls of streams that were garbage-collected before anything read them: their
 * leases, in-flight slots and connections would otherwise wait for the lease timeouts.
 */
const unread = new FinalizationRegistry<() => void>((abandon) => abandon());

/**
 * Returns a Stream of the SDK's own class that yields what `opened` yields and finishes `call`
 * exactly once: `ok` at the end, `error` when reading fails, `aborted` on `break` or abort, or
 * when the caller drops the stream without ever reading it (once it is garbage-collected).
 *
 * When `hideUsage` is true (the wrapper asked for usage, not the caller), the usage chunk is not
 * yielded and the `usage: null` servers add to every other chunk is removed, so the caller
 * iterates what an unwrapped client would give. `.tee()`, `.toReadableStream()` and `controller`
 * keep working: they are the SDK's own methods over the new iterator.
 */
export function trackStream(
  opened: OpenedStream,
  operation: CallOperation,
  call: ActiveCall<unknown>,
  hideUsage: boolean,
  requestId: string | undefined,
  client: unknown,
): Stream<unknown> {
  const { stream, iterator } = opened;
  const controller = stream.controller;

  // The chunk as the caller sees it: `undefined` for the hidden usage chunk; without the
  // `usage: null` the server added because of the injected option (a copy: `delete` would turn
  // the object into a slow dictionary for the caller).
  function shown(chunk: unknown): unknown {
    if (!hideUsage) return chunk;
    if (isUsageChunk(chunk)) return undefined;
    if ((chunk as { usage?: unknown }).usage !== null) return chunk;
    const { usage, ...rest } = chunk as { usage?: unknown };
    void usage;
    return rest;
  }

  const seen: ObservedOutput = { usage: undefined, responseModel: undefined, textParts: [] };
  let pending: IteratorResult<unknown> | undefined = opened.first;
  let ended = false;

  function end(status: 'ok' | 'error' | 'aborted', error?: unknown): void {
    if (ended) return;
    ended = true;
    call.finish({
      status,
      usage: seen.usage,
      outputText: seen.textParts.join(''),
      responded: true,
      responseModel: seen.responseModel,
      requestId,
      ...(status === 'error' ? { error } : {}),
    });
  }

  // A plain iterator rather than an async generator: one promise per chunk instead of a
  // generator's extra turns, which the bench showed costs about 3 µs per chunk.
  const tracked: AsyncIterator<unknown> = {
    async next() {
      if (ended) return { done: true, value: undefined };
      try {
        for (;;) {
          const result: IteratorResult<unknown> = pending ?? (await iterator.next());
          pending = undefined;
          if (result.done === true) {
            end(controller.signal.aborted ? 'aborted' : 'ok');
            return result;
          }
          observeChunk(operation, result.value, seen);
          const visible = shown(result.value);
          if (visible !== undefined) return { done: false, value: visible };
        }
      } catch (error) {
        end(controller.signal.aborted && isAbort(error) ? 'aborted' : 'error', error);
        throw error;
      }
    },
    async return(value?: unknown) {
      if (!ended) {
        end('aborted');
        controller.abort();
        await iterator.return?.().catch(() => undefined);
      }
      return { done: true, value };
    },
  };

  const StreamClass = stream.constructor as StreamConstructor;
  // Any reader (iteration, tee, toReadableStream) asks for the iterator first; from then on the
  // stream is in use and only its own end finishes the call.
  const token = {};
  const result = new StreamClass(() => (unread.unregister(token), tracked), controller, client);
  unread.register(result, () => void tracked.return?.(), token);
  return result;
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown; constructor?: { name?: unknown } } | null)?.constructor?.name;
  return name === 'APIUserAbortError' || (error as { name?: unknown } | null)?.name === 'AbortError';
}
