import type { CallOperation } from './call-path/index.js';

/** What the chunks (or the final body) of a call said about its usage and output. */
export interface ObservedOutput {
  usage: unknown;
  responseModel: string | undefined;
  readonly textParts: string[];
}

type Loose = Record<string, unknown>;

const asRecord = (value: unknown): Loose | undefined =>
  typeof value === 'object' && value !== null ? (value as Loose) : undefined;

/** True for a chat/completions usage chunk: it has `usage` and no choices (`[]`, or `null`). */
export function isUsageChunk(chunk: unknown): boolean {
  const record = asRecord(chunk);
  if (record === undefined || record.usage == null) return false;
  const choices = record.choices;
  return choices == null || (Array.isArray(choices) && choices.length === 0);
}

function collectChoices(choices: unknown, parts: string[]): void {
  if (!Array.isArray(choices)) return;
  for (const choice of choices) {
    const record = asRecord(choice);
    if (record === undefined) continue;
    if (typeof record.text === 'string') parts.push(record.text);
    const message = asRecord(record.delta) ?? asRecord(record.message);
    if (message === undefined) continue;
    if (typeof message.content === 'string') parts.push(message.content);
    if (typeof message.refusal === 'string') parts.push(message.refusal);
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const call of calls) {
      const fn = asRecord(asRecord(call)?.function);
      if (typeof fn?.name === 'string') parts.push(fn.name);
      if (typeof fn?.arguments === 'string') parts.push(fn.arguments);
    }
  }
}

/** Reads one streamed chunk (chat, completions) or event (responses) into `seen`. */
export function observeChunk(operation: CallOperation, chunk: unknown, seen: ObservedOutput): void {
  const record = asRecord(chunk);
  if (record === undefined) return;
  if (operation === 'responses') {
    if (typeof record.delta === 'string' && typeof record.type === 'string' && record.type.endsWith('.delta')) seen.textParts.push(record.delta);
    const response = asRecord(record.response);
    if (typeof response?.model === 'string') seen.responseModel = response.model;
    if (response?.usage != null) seen.usage = response.usage;
    return;
  }
  if (seen.responseModel === undefined && typeof record.model === 'string') seen.responseModel = record.model;
  if (record.usage != null) seen.usage = record.usage;
  collectChoices(record.choices, seen.textParts);
}

/** Reads a whole non-streamed body into usage, model and output text. */
export function observeBody(operation: CallOperation, body: unknown): ObservedOutput {
  const record = asRecord(body);
  const seen: ObservedOutput = {
    usage: record?.usage,
    responseModel: typeof record?.model === 'string' ? record.model : undefined,
    textParts: [],
  };
  if (record === undefined || record.usage != null) return seen;
  if (operation === 'responses') {
    for (const item of Array.isArray(record.output) ? record.output : []) {
      for (const part of Array.isArray(asRecord(item)?.content) ? (asRecord(item)!.content as unknown[]) : []) {
        const text = asRecord(part)?.text;
        if (typeof text === 'string') seen.textParts.push(text);
      }
    }
  } else collectChoices(record.choices, seen.textParts);
  return seen;
}
