import type { ActiveCall } from '@tollgate/openai';

type Loose = Record<string, unknown>;
const isRecord = (value: unknown): value is Loose => typeof value === 'object' && value !== null;

/** What a response body said, read while it passes through: usage, output text, first output. */
class BodyReader {
  usage: unknown;
  outputText = '';
  private pending = '';
  private whole = '';

  constructor(
    private readonly streamed: boolean,
    private readonly onFirstOutput: () => void,
  ) {}

  /** Reads one decoded piece of the body. */
  add(text: string): void {
    if (!this.streamed) {
      this.whole += text;
      return;
    }
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Reads what is left once the body ended. */
  end(): void {
    if (this.streamed) {
      this.line(this.pending);
      return;
    }
    try {
      const parsed = JSON.parse(this.whole) as Loose;
      this.usage = parsed.usage;
      const choices = Array.isArray(parsed.choices) ? parsed.choices : [];
      for (const choice of choices) this.output(isRecord(choice) ? choice.message : undefined);
    } catch {
      // Not JSON: no usage; the call path then estimates from nothing and says so.
    }
  }

  private line(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') return;
    let chunk: Loose;
    try {
      chunk = JSON.parse(data) as Loose;
    } catch {
      return;
    }
    if (isRecord(chunk.usage)) this.usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) this.output(isRecord(choice) ? choice.delta : undefined);
  }

  private output(message: unknown): void {
    if (!isRecord(message)) return;
    const before = this.outputText.length;
    if (typeof message.content === 'string') this.outputText += message.content;
    if (typeof message.refusal === 'string') this.outputText += message.refusal;
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const call of calls) {
      const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
      if (typeof fn?.arguments === 'string') this.outputText += fn.arguments;
    }
    if (before === 0 && this.outputText.length > 0) this.onFirstOutput();
  }
}

/**
 * The response handed to the client: the same bytes, read on the way through for the first
 * output (time to first token), the usage and the output text, and the call ended exactly once
 * when the body ends, fails or is cancelled; until then the call holds its deployment and limits.
 */
export function passThrough(response: Response, streamed: boolean, call: ActiveCall<Response>): Response {
  const upstream = response.body?.getReader();
  if (upstream === undefined) {
    call.finish({ status: 'ok', responded: true });
    return response;
  }
  const decoder = new TextDecoder();
  const body = new BodyReader(streamed, () => call.markFirstToken());
  const ended = (status: 'ok' | 'error' | 'aborted', error?: unknown) =>
    call.finish({ status, usage: body.usage, outputText: body.outputText, responded: true, ...(error === undefined ? {} : { error }) });

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await upstream.read();
        if (done) {
          body.add(decoder.decode());
          body.end();
          controller.close();
          ended('ok');
          return;
        }
        body.add(decoder.decode(value, { stream: true }));
        controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        ended((error as { name?: unknown })?.name === 'AbortError' ? 'aborted' : 'error', error);
      }
    },
    async cancel(reason) {
      ended('aborted');
      await upstream.cancel(reason);
    },
  });
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}
