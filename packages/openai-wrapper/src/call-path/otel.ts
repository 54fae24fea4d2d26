import type { UsageRecord } from './types.js';

const OPERATION_NAMES: Readonly<Record<UsageRecord['operation'], string>> = {
  'chat.completions': 'chat',
  responses: 'chat',
  embeddings: 'embeddings',
  completions: 'text_completion',
};

/**
 * The attributes of a record named after OpenTelemetry's GenAI semantic conventions
 * (`gen_ai.*`, `error.type`), plus `tollgate.*` for what those conventions do not name.
 * Hand them to a span: `span.setAttributes(toGenAIAttributes(record))`. No prompt text, no key.
 */
export function toGenAIAttributes(record: UsageRecord): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = {
    'gen_ai.system': 'openai',
    'gen_ai.operation.name': OPERATION_NAMES[record.operation],
    'gen_ai.request.model': record.model,
    'tollgate.streamed': record.streamed,
    'tollgate.status': record.status,
    'tollgate.attempts': record.attempts,
    'tollgate.usage_source': record.usageSource,
    'tollgate.duration_ms': record.durationMs,
    'tollgate.limiter_wait_ms': record.limiterWaitMs,
  };
  const optional: Record<string, string | number | undefined> = {
    'gen_ai.response.model': record.responseModel,
    'gen_ai.usage.input_tokens': record.promptTokens,
    'gen_ai.usage.output_tokens': record.completionTokens,
    'error.type': record.error?.name,
    'tollgate.deployment': record.deployment,
    'tollgate.served_model': record.servedModel,
    'tollgate.request_id': record.requestId,
    'tollgate.cost_usd': record.costUsd,
    'tollgate.time_to_first_token_ms': record.timeToFirstTokenMs,
    'tollgate.prompt_tokens_counted': record.promptTokensCounted,
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) attributes[name] = value;
  return attributes;
}
