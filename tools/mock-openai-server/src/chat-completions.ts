// POST /v1/chat/completions, non-streaming and SSE streaming, in OpenAI's wire format.
import { sendJson, pause } from './http-utils.js';
import {
  badRequest,
  dropConnection,
  optionalCount,
  resolveModel,
  startEventStream,
  wantsStreamUsage,
  writeEvent,
  type HandlerContext,
  type ResolvedModel,
} from './context.js';
import { planReply, type ReplyPlan } from './reply.js';
import { countChatPrompt, isRecord } from './tokens.js';

const SYSTEM_FINGERPRINT = 'fp_tollgate_mock';

/** Text of the last user message (text parts joined by a space); empty when there is none. */
export function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!isRecord(message) || message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (!Array.isArray(message.content)) return '';
    return message.content
      .filter((part): part is { text: string } => isRecord(part) && typeof part.text === 'string')
      .map((part) => part.text)
      .join(' ');
  }
  return '';
}

/** Handles one chat completion request. */
export async function handleChatCompletion(context: HandlerContext): Promise<void> {
  const model = resolveModel(context);
  if (model === undefined) return;
  const { body } = context;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    badRequest(context, "Invalid 'messages': expected a non-empty array.", 'messages');
    return;
  }
  const tools = Array.isArray(body.tools) ? body.tools : undefined;
  const maxCompletionTokens = optionalCount(body, 'max_completion_tokens');
  const maxTokens = optionalCount(body, 'max_tokens');
  if (maxCompletionTokens === null || maxTokens === null) {
    const field = maxCompletionTokens === null ? 'max_completion_tokens' : 'max_tokens';
    badRequest(context, `Invalid '${field}': expected a non-negative integer.`, field);
    return;
  }

  const promptTokens = countChatPrompt(model.encoding, body.messages, tools);
  const source = lastUserText(body.messages);
  const plan = planReply(
    model.encoding,
    source,
    model.completionTokens,
    maxCompletionTokens ?? maxTokens,
  );
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: promptTokens + plan.completionTokens,
  };
  const id = `chatcmpl-${context.requestId}`;
  const created = Math.floor(Date.now() / 1000);

  if (body.stream === true) {
    await streamChat(context, model, plan, usage, id, created);
    return;
  }
  if (!(await pause(model.latencyMs, context.signal))) return;
  const completion = {
    id,
    object: 'chat.completion',
    created,
    model: model.name,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: plan.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: plan.finishReason,
      },
    ],
    usage,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  if (context.drop) {
    const text = JSON.stringify(completion);
    context.response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': context.requestId,
    });
    context.response.write(text.slice(0, Math.floor(text.length / 2)), () =>
      dropConnection(context),
    );
    return;
  }
  context.recordUsage(model.name, usage.prompt_tokens, usage.completion_tokens);
  sendJson(context.response, 200, completion, { 'x-request-id': context.requestId });
}

async function streamChat(
  context: HandlerContext,
  model: ResolvedModel,
  plan: ReplyPlan,
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number },
  id: string,
  created: number,
): Promise<void> {
  const includeUsage = wantsStreamUsage(context.body) && model.streamUsage;
  const chunk = (choices: unknown[] | null, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: model.name,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });

  startEventStream(context);
  if (!writeEvent(context, chunk([choice({ role: 'assistant', content: '', refusal: null })])))
    return;
  for (const [index, piece] of plan.pieces.entries()) {
    const delayMs = index === 0 ? model.firstTokenDelayMs : model.chunkDelayMs;
    if (!(await pause(delayMs, context.signal))) return;
    if (context.drop) {
      writeEvent(context, chunk([choice({ content: piece })]), () => dropConnection(context));
      return;
    }
    if (!writeEvent(context, chunk([choice({ content: piece })]))) return;
  }
  if (context.drop) {
    dropConnection(context);
    return;
  }
  if (!writeEvent(context, chunk([choice({}, plan.finishReason)]))) return;
  if (includeUsage) {
    const choices = model.usageChunkChoices === 'null' ? null : [];
    if (!writeEvent(context, chunk(choices, { usage }))) return;
  }
  writeEvent(context, '[DONE]');
  context.recordUsage(model.name, usage.prompt_tokens, usage.completion_tokens);
  context.response.end();
}
