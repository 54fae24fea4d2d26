// POST /v1/completions (legacy text completions), non-streaming and streaming.
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
} from './context.js';
import { planReply } from './reply.js';
import { countText } from './tokens.js';

/** Reads `prompt` as a list of strings; `undefined` when it is neither a string nor strings. */
function promptList(prompt: unknown): string[] | undefined {
  if (typeof prompt === 'string') return [prompt];
  if (
    Array.isArray(prompt) &&
    prompt.length > 0 &&
    prompt.every((item) => typeof item === 'string')
  ) {
    return prompt as string[];
  }
  return undefined;
}

/** Handles one legacy completion request; one choice per prompt. */
export async function handleCompletion(context: HandlerContext): Promise<void> {
  const model = resolveModel(context);
  if (model === undefined) return;
  const prompts = promptList(context.body.prompt);
  if (prompts === undefined) {
    badRequest(
      context,
      "Invalid 'prompt': expected a string or a non-empty array of strings.",
      'prompt',
    );
    return;
  }
  const maxTokens = optionalCount(context.body, 'max_tokens');
  if (maxTokens === null) {
    badRequest(context, "Invalid 'max_tokens': expected a non-negative integer.", 'max_tokens');
    return;
  }

  const plans = prompts.map((prompt) =>
    planReply(model.encoding, prompt, model.completionTokens, maxTokens),
  );
  const promptTokens = prompts.reduce((sum, prompt) => sum + countText(model.encoding, prompt), 0);
  const completionTokens = plans.reduce((sum, plan) => sum + plan.completionTokens, 0);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const base = {
    id: `cmpl-${context.requestId}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: model.name,
  };

  if (context.body.stream !== true) {
    if (!(await pause(model.latencyMs, context.signal))) return;
    if (context.drop) {
      dropConnection(context);
      return;
    }
    const choices = plans.map((plan, index) => ({
      text: plan.text,
      index,
      logprobs: null,
      finish_reason: plan.finishReason,
    }));
    context.recordUsage(model.name, promptTokens, completionTokens);
    sendJson(
      context.response,
      200,
      { ...base, choices, usage },
      { 'x-request-id': context.requestId },
    );
    return;
  }

  const includeUsage = wantsStreamUsage(context.body) && model.streamUsage;
  startEventStream(context);
  let first = true;
  for (const [index, plan] of plans.entries()) {
    for (const piece of plan.pieces) {
      if (!(await pause(first ? model.firstTokenDelayMs : model.chunkDelayMs, context.signal)))
        return;
      first = false;
      const choices = [{ text: piece, index, logprobs: null, finish_reason: null }];
      if (context.drop) {
        writeEvent(context, { ...base, choices }, () => dropConnection(context));
        return;
      }
      if (!writeEvent(context, { ...base, choices, ...(includeUsage ? { usage: null } : {}) }))
        return;
    }
    const finish = [{ text: '', index, logprobs: null, finish_reason: plan.finishReason }];
    if (
      !writeEvent(context, { ...base, choices: finish, ...(includeUsage ? { usage: null } : {}) })
    )
      return;
  }
  if (includeUsage && !writeEvent(context, { ...base, choices: [], usage })) return;
  writeEvent(context, '[DONE]');
  context.recordUsage(model.name, promptTokens, completionTokens);
  context.response.end();
}
