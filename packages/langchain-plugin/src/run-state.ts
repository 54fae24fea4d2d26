import type { LLMResult } from '@langchain/core/outputs';
import { countTokens, estimateCost, TollgateError, type ChatTokenCount, type EncodingName } from './core.js';
import type { TollgateLimiterLease } from './limits.js';
import type { RunErrorInfo, RunRecord, RunStatus, RunUsageSource } from './run-record.js';
import { generatedText, usageFromResult } from './usage-from-result.js';

/** What the handler keeps of a run between its start and its end. @internal */
export interface RunState {
  readonly runId: string;
  readonly parentRunId: string | undefined;
  readonly model: string;
  readonly tags: readonly string[];
  readonly startMs: number;
  /** When the call was let go: after the limiter admitted it, else at the start. */
  callStartMs: number;
  /** Last callback of the run (start or token), for the abandoned-run sweep. */
  lastActivityMs: number;
  /** Removes the abort listener. */
  detach: (() => void) | undefined;
  readonly prompt: ChatTokenCount | undefined;
  firstTokenMs: number | undefined;
  streamedChunks: number;
  streamedText: string;
  limitWaitMs: number;
  lease: TollgateLimiterLease | undefined;
}

const ABORT_NAMES = new Set(['AbortError', 'APIUserAbortError']);

/** True for the errors an abort produces (LangChain's, the SDK's, fetch's, tollgate's). */
export function isAbort(error: unknown): boolean {
  const record = error as { name?: unknown; code?: unknown; message?: unknown } | undefined;
  if (typeof record !== 'object' || record === null) return false;
  if (typeof record.name === 'string' && ABORT_NAMES.has(record.name)) return true;
  if (record.code === 'ERR_ABORTED') return true;
  return record.name === 'Error' && record.message === 'Aborted';
}

/** The safe part of an error: name, HTTP status, code. Never the message. */
export function errorInfo(error: unknown): RunErrorInfo {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof record.name === 'string' ? record.name : typeof error;
  const info: { name: string; status?: number; code?: string } = { name };
  if (typeof record.status === 'number') info.status = record.status;
  if (typeof record.code === 'string') info.code = record.code;
  return info;
}

function safeCount(text: string, model: string, defaultEncoding: EncodingName | undefined): number | undefined {
  if (text === '') return 0;
  try {
    return countTokens(text, defaultEncoding === undefined ? { model } : { model, defaultEncoding });
  } catch {
    return undefined;
  }
}

function costOf(model: string, usage: { prompt_tokens: number; completion_tokens: number; cached: number; reasoning: number }) {
  try {
    const cost = estimateCost({
      model,
      usageStyle: 'openai-chat',
      usage: {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.prompt_tokens + usage.completion_tokens,
        prompt_tokens_details: { cached_tokens: usage.cached },
        completion_tokens_details: { reasoning_tokens: usage.reasoning },
      },
    });
    return { costUsd: cost.totalUsd, costUnavailableReason: undefined };
  } catch (error) {
    const reason = TollgateError.isInstance(error) && error.code === 'ERR_INVALID_MODEL_DATA' ? 'no-prices' : 'unknown-model';
    return { costUsd: undefined, costUnavailableReason: reason } as const;
  }
}

/** How a run ended, as the handler saw it. @internal */
export interface RunEnding {
  readonly status: RunStatus;
  readonly output?: LLMResult;
  readonly error?: unknown;
  readonly nowMs: number;
}

/**
 * Builds the terminal record: usage from the result (`llmOutput.tokenUsage`, then
 * `usage_metadata`), else the local prompt count plus the generated (or streamed) text counted
 * locally, marked estimated; cost from the registry. @internal
 */
export function buildRecord(state: RunState, ending: RunEnding, defaultEncoding: EncodingName | undefined): RunRecord {
  const reported = ending.output === undefined ? undefined : usageFromResult(ending.output);
  const streamedTokens = safeCount(state.streamedText, state.model, defaultEncoding) ?? 0;
  const estimateReasons: string[] = [];
  let usageSource: RunUsageSource = 'none';
  let promptTokens: number | undefined;
  let completionTokens: number | undefined;

  if (reported !== undefined) {
    usageSource = reported.source;
    promptTokens = reported.promptTokens;
    completionTokens = reported.completionTokens;
  } else if (ending.output !== undefined || state.streamedChunks > 0) {
    const text = ending.output === undefined ? state.streamedText : generatedText(ending.output) || state.streamedText;
    promptTokens = state.prompt?.tokens;
    completionTokens = safeCount(text, state.model, defaultEncoding);
    if (promptTokens !== undefined || completionTokens !== undefined) {
      usageSource = 'estimated';
      estimateReasons.push('the provider reported no usage, so the prompt and the generated text were counted locally');
      if (state.prompt?.estimated === true) estimateReasons.push(...state.prompt.estimateReasons);
    }
  }

  const known = promptTokens !== undefined && completionTokens !== undefined;
  const cost = known
    ? costOf(state.model, { prompt_tokens: promptTokens!, completion_tokens: completionTokens!, cached: reported?.cachedTokens ?? 0, reasoning: reported?.reasoningTokens ?? 0 })
    : { costUsd: undefined, costUnavailableReason: 'no-usage' as const };
  return {
    runId: state.runId,
    parentRunId: state.parentRunId,
    model: state.model,
    tags: state.tags,
    status: ending.status,
    streamed: state.streamedChunks > 0,
    promptTokens,
    completionTokens,
    totalTokens: known ? promptTokens! + completionTokens! : reported?.totalTokens,
    usageSource,
    estimated: usageSource === 'estimated',
    estimateReasons,
    costUsd: cost.costUsd,
    costUnavailableReason: cost.costUnavailableReason,
    latencyMs: ending.nowMs - state.callStartMs,
    timeToFirstTokenMs: state.firstTokenMs === undefined ? undefined : state.firstTokenMs - state.callStartMs,
    streamedChunks: state.streamedChunks,
    streamedTokens,
    limitWaitMs: state.limitWaitMs,
    error: ending.error === undefined ? undefined : errorInfo(ending.error),
  };
}
