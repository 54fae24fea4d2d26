import { trimMessages, type BaseMessage, type MessageTypeOrClass } from '@langchain/core/messages';
import { invalidArgumentError } from './core.js';
import { createTokenCounter, type TokenCounter, type TokenCounterOptions } from './token-counter.js';

/** Options of {@link trimHistory}. */
export interface TrimHistoryOptions extends Partial<TokenCounterOptions> {
  /** Largest prompt, in tokens, the kept messages may make (framing and reply priming included). */
  readonly maxTokens: number;
  /** A counter to reuse (keeps its cache across turns); else one is built from `model`. */
  readonly tokenCounter?: TokenCounter;
  /** Keep a leading system message whatever the budget. @default true */
  readonly includeSystem?: boolean;
  /** The kept messages (after the system message) start with a message of this type. @default none */
  readonly startOn?: MessageTypeOrClass | MessageTypeOrClass[];
}

function toolCallIdsOf(message: BaseMessage): string[] {
  const calls = (message as unknown as { tool_calls?: { id?: string }[] }).tool_calls ?? [];
  const raw = (message.additional_kwargs?.tool_calls ?? []) as { id?: string }[];
  return [...calls, ...raw].map((call) => call.id).filter((id): id is string => typeof id === 'string');
}

/**
 * Drops every tool message whose tool call is not in an earlier assistant message of the list:
 * the API rejects such a tool result, and a cut history starts with one whenever the cut fell
 * between an assistant's tool call and its results. Other messages keep their order.
 */
export function dropOrphanToolResults(messages: readonly BaseMessage[]): BaseMessage[] {
  const calls = new Set<string>();
  const kept: BaseMessage[] = [];
  for (const message of messages) {
    const type = message.getType();
    if (type === 'ai') for (const id of toolCallIdsOf(message)) calls.add(id);
    if (type === 'tool') {
      const id = (message as unknown as { tool_call_id?: unknown }).tool_call_id;
      if (typeof id !== 'string' || !calls.has(id)) continue;
    }
    kept.push(message);
  }
  return kept;
}

/**
 * Keeps the last messages of a history that fit `maxTokens`, counted exactly (LangChain's
 * `trimMessages` with strategy `last` and tollgate's counter), keeping the system message, and
 * never starting with a tool result whose tool call was cut.
 *
 * @example
 * const history = await trimHistory(messages, { model: 'gpt-4o-mini', maxTokens: 3000 });
 * @throws TollgateError `ERR_INVALID_ARGUMENT` for a bad `maxTokens` or neither `model` nor
 *   `tokenCounter`.
 */
export async function trimHistory(messages: readonly BaseMessage[], options: TrimHistoryOptions): Promise<BaseMessage[]> {
  const { maxTokens } = options;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 0) throw invalidArgumentError('options.maxTokens', 'a non-negative integer', maxTokens);
  let tokenCounter = options.tokenCounter;
  if (tokenCounter === undefined) {
    if (typeof options.model !== 'string') throw invalidArgumentError('options.model', 'a model name when no `tokenCounter` is given', options.model);
    tokenCounter = createTokenCounter({ ...options, model: options.model });
  }

  const trimmed = await trimMessages([...messages], {
    maxTokens,
    strategy: 'last',
    tokenCounter: (list: BaseMessage[]) => tokenCounter(list),
    includeSystem: options.includeSystem ?? true,
    ...(options.startOn === undefined ? {} : { startOn: options.startOn }),
  });
  return dropOrphanToolResults(trimmed);
}
