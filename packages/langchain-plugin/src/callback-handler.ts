import { BaseCallbackHandler, type NewTokenIndices } from '@langchain/core/callbacks/base';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { Serialized } from '@langchain/core/load/serializable';
import { countChatTokens, countTokens, invalidArgumentError, type ChatTokenCount, type ChatToolDefinition, type EncodingName } from './core.js';
import { handlerErrorChannel, runChannel } from './events.js';
import { acquireForRun, maxOutputOf, resolveLimits, type LimitOptions, type ResolvedLimits } from './limits.js';
import type { RunRecord, UsageSnapshot } from './run-record.js';
import { buildRecord, errorInfo, isAbort, type RunState } from './run-state.js';
import { toChatMessage } from './to-chat-message.js';
import { UsageTotals } from './usage-totals.js';

/** Options of {@link TollgateCallbackHandler}. */
export interface TollgateCallbackHandlerOptions {
  /** Called once per run with its terminal record. A throw here is reported, never raised (unless `raiseError`). */
  readonly onRecord?: (record: RunRecord) => void;
  /** Limits enforced before each call; the handler then waits for the limiter in the start callback. */
  readonly limits?: LimitOptions;
  /** Re-throw the handler's own failures into the chain (LangChain's meaning). @default false */
  readonly raiseError?: boolean;
  /** Encoding for models tollgate does not know; their counts are then estimates. @default 'o200k_base' */
  readonly defaultEncoding?: EncodingName;
  /** Await the handler in the call path, so records and totals are complete when `invoke` returns. @default true */
  readonly awaitHandlers?: boolean;
  /**
   * A run with no callback for this long is ended as `aborted`: LangChain sends no terminal
   * callback when a stream's consumer stops reading early. In ms. @default 600000
   */
  readonly abandonedRunMs?: number;
  /** Milliseconds clock; inject one for tests. @default performance.now */
  readonly now?: () => number;
}

type Params = Record<string, unknown> | undefined;

function invocationParams(extraParams: Params): Record<string, unknown> | undefined {
  const params = extraParams?.invocation_params;
  return typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : undefined;
}

function modelOf(extraParams: Params, metadata: Params): string {
  const model = invocationParams(extraParams)?.model ?? invocationParams(extraParams)?.model_name ?? metadata?.ls_model_name;
  return typeof model === 'string' && model !== '' ? model : 'unknown';
}

/**
 * A LangChain callback handler that records, per LLM or chat model run, prompt and completion
 * tokens, cost, latency, time to first token and streamed tokens, keeps totals per model and per
 * tag, and (with `limits`) waits for the limiter before the call and settles the reservation after.
 *
 * Usage comes from `llmOutput.tokenUsage`, then the message's `usage_metadata`, else is counted
 * locally and marked estimated. Every run gets exactly one terminal record (`ok`, `error`,
 * `aborted`, or `refused` by the limiter). The handler's own failures go to
 * `tollgate:langchain:handler-error` and never break the chain unless `raiseError` is set; a limit
 * refusal always stops the call (that is its purpose).
 *
 * @example
 * const usage = new TollgateCallbackHandler();
 * await chat.invoke('Hello', { callbacks: [usage], tags: ['support'] });
 * usage.snapshot().byModel['gpt-4o-mini'].costUsd;
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for bad options.
 */
export class TollgateCallbackHandler extends BaseCallbackHandler {
  name = 'tollgate_callback_handler';
  private readonly runs = new Map<string, RunState>();
  private readonly totals = new UsageTotals();
  private readonly limits: ResolvedLimits | undefined;
  private readonly onRecord: ((record: RunRecord) => void) | undefined;
  private readonly raiseOwnErrors: boolean;
  private readonly defaultEncoding: EncodingName;
  private readonly now: () => number;
  private readonly abandonedRunMs: number;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: TollgateCallbackHandlerOptions = {}) {
    super({ _awaitHandler: options.awaitHandlers ?? true, raiseError: options.raiseError === true || options.limits !== undefined });
    if (options.onRecord !== undefined && typeof options.onRecord !== 'function') throw invalidArgumentError('onRecord', 'a function', options.onRecord);
    this.limits = options.limits === undefined ? undefined : resolveLimits(options.limits);
    this.onRecord = options.onRecord;
    this.raiseOwnErrors = options.raiseError === true;
    this.defaultEncoding = options.defaultEncoding ?? 'o200k_base';
    this.now = options.now ?? (() => performance.now());
    this.abandonedRunMs = options.abandonedRunMs ?? 600_000;
    if (!(this.abandonedRunMs > 0) || !Number.isFinite(this.abandonedRunMs)) throw invalidArgumentError('abandonedRunMs', 'a positive number of ms', options.abandonedRunMs);
    // LangChain waits for a handler only when asked; limits need the start callback awaited.
    if (this.limits !== undefined) this.awaitHandlers = true;
  }

  /** Totals per model and per tag, and the runs in flight; a copy. */
  snapshot(): UsageSnapshot {
    return this.totals.snapshot(this.runs.size);
  }

  /** Zeroes the totals (runs in flight are kept and still end with a record). */
  reset(): void {
    this.totals.reset();
  }

  override async handleChatModelStart(_llm: Serialized, messages: BaseMessage[][], runId: string, parentRunId?: string, extraParams?: Params, tags?: string[], metadata?: Params): Promise<void> {
    const model = modelOf(extraParams, metadata);
    const prompt = this.guard('handleChatModelStart', () => {
      const tools = invocationParams(extraParams)?.tools as ChatToolDefinition[] | undefined;
      return countChatTokens((messages[0] ?? []).map(toChatMessage), { model, tools, defaultEncoding: this.defaultEncoding });
    });
    await this.start(runId, parentRunId, model, tags, metadata, extraParams, prompt);
  }

  override async handleLLMStart(_llm: Serialized, prompts: string[], runId: string, parentRunId?: string, extraParams?: Params, tags?: string[], metadata?: Params): Promise<void> {
    const model = modelOf(extraParams, metadata);
    const prompt = this.guard('handleLLMStart', (): ChatTokenCount => {
      const tokens = countTokens(prompts.join(''), { model, defaultEncoding: this.defaultEncoding });
      return { tokens, estimated: false, estimateReasons: [] };
    });
    await this.start(runId, parentRunId, model, tags, metadata, extraParams, prompt);
  }

  override handleLLMNewToken(token: string, _idx: NewTokenIndices, runId: string): void {
    const state = this.runs.get(runId);
    if (state === undefined || token === '') return;
    state.lastActivityMs = this.now();
    if (state.firstTokenMs === undefined) state.firstTokenMs = state.lastActivityMs;
    state.streamedChunks += 1;
    state.streamedText += token;
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.finish(runId, { status: 'ok', output });
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.finish(runId, { status: isAbort(error) ? 'aborted' : 'error', error });
  }

  private async start(runId: string, parentRunId: string | undefined, model: string, tags: string[] | undefined, metadata: Params, extraParams: Params, prompt: ChatTokenCount | undefined): Promise<void> {
    const startMs = this.now();
    const state: RunState = { runId, parentRunId, model, tags: [...(tags ?? [])], startMs, callStartMs: startMs, lastActivityMs: startMs, prompt, firstTokenMs: undefined, streamedChunks: 0, streamedText: '', limitWaitMs: 0, lease: undefined, detach: undefined };
    this.runs.set(runId, state);
    this.startSweeper();
    // LangChain sends no terminal callback when a stream is aborted between two chunks.
    const options = extraParams?.options as { signal?: AbortSignal } | undefined;
    const signal = options?.signal;
    if (signal !== undefined && typeof signal.addEventListener === 'function') {
      const onAbort = () => this.finish(runId, { status: 'aborted', error: signal.reason });
      signal.addEventListener('abort', onAbort, { once: true });
      state.detach = () => signal.removeEventListener('abort', onAbort);
    }
    if (this.limits === undefined) return;

    const context = { model, tags: state.tags, metadata: metadata ?? {}, promptTokens: prompt?.tokens ?? 0, maxOutputTokens: maxOutputOf(invocationParams(extraParams), this.limits.maxOutputTokens) };
    try {
      state.lease = await acquireForRun(this.limits, context, options?.signal);
      state.lastActivityMs = this.now();
      state.callStartMs = state.lastActivityMs;
      state.limitWaitMs = state.lastActivityMs - state.startMs;
      if (!this.runs.has(runId)) this.settleAndRelease(state, undefined);
    } catch (error) {
      this.finish(runId, { status: signal?.aborted === true ? 'aborted' : 'refused', error });
      throw error;
    }
  }

  private finish(runId: string, ending: { status: RunRecord['status']; output?: LLMResult; error?: unknown }): void {
    const state = this.runs.get(runId);
    if (state === undefined) return;
    this.runs.delete(runId);
    state.detach?.();
    if (this.runs.size === 0) this.stopSweeper();
    const record = this.guard('finish', () => buildRecord(state, { ...ending, nowMs: this.now() }, this.defaultEncoding));
    if (record === undefined) return void this.settleAndRelease(state, undefined);
    this.settleAndRelease(state, record);
    this.totals.add(record);
    if (runChannel.hasSubscribers) runChannel.publish(record);
    if (this.onRecord !== undefined) this.guard('onRecord', () => this.onRecord!(record));
  }

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    const periodMs = Math.max(10, Math.min(this.abandonedRunMs / 2, 30_000));
    this.sweeper = setInterval(() => {
      const now = this.now();
      for (const state of [...this.runs.values()]) {
        if (now - state.lastActivityMs >= this.abandonedRunMs) this.finish(state.runId, { status: 'aborted', error: { name: 'RunAbandoned' } });
      }
    }, periodMs);
    this.sweeper.unref?.();
  }

  private stopSweeper(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Settles the lease to the run's real tokens when they are known, then frees it. */
  private settleAndRelease(state: RunState, record: RunRecord | undefined): void {
    const lease = state.lease;
    if (lease === undefined) return;
    state.lease = undefined;
    this.guard('settle', () => {
      try {
        if (record?.totalTokens !== undefined) lease.settle({ tokens: record.totalTokens });
      } finally {
        lease.release();
      }
    });
  }

  /** Runs `work`; a failure is published and swallowed, or re-thrown when `raiseError` was asked. */
  private guard<T>(method: string, work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      if (handlerErrorChannel.hasSubscribers) handlerErrorChannel.publish({ method, error: errorInfo(error) });
      if (this.raiseOwnErrors) throw error;
      return undefined;
    }
  }
}
