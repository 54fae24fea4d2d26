import type { EncodingName } from '../tokenizer/encoding-name.js';

/** A text part of a message's content. */
export interface ChatTextPart {
  readonly type: 'text';
  readonly text: string;
}

/**
 * An image part. OpenAI's shape plus optional `width`/`height` in pixels (tollgate's own fields,
 * read only for counting): without them the size is assumed to be 1024×1024 and the count is an
 * estimate.
 */
export interface ChatImagePart {
  readonly type: 'image_url';
  readonly image_url: { readonly url: string; readonly detail?: 'low' | 'high' | 'auto' };
  /** Image width in pixels (tollgate extension). */
  readonly width?: number;
  /** Image height in pixels (tollgate extension). */
  readonly height?: number;
}

/** Any other part type (`input_audio`, `file`, ...); counted as 0 tokens and marked an estimate. */
export interface ChatOtherPart {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** One part of an array content. */
export type ChatContentPart = ChatTextPart | ChatImagePart | ChatOtherPart;

/** A function call requested by the assistant. */
export interface ChatToolCall {
  readonly id?: string;
  readonly type?: string;
  readonly function: { readonly name: string; readonly arguments: string };
}

/** A Chat Completions message, as sent to the API. */
export interface ChatMessage {
  readonly role: string;
  readonly content?: string | readonly ChatContentPart[] | null;
  readonly name?: string;
  readonly tool_calls?: readonly ChatToolCall[];
  readonly tool_call_id?: string;
  /** Legacy single function call of an assistant message. */
  readonly function_call?: { readonly name: string; readonly arguments: string };
}

/** JSON schema of one function parameter, as far as token counting reads it. */
export interface ChatToolParameter {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly [key: string]: unknown;
}

/** A tool definition of the request's `tools`. */
export interface ChatToolDefinition {
  readonly type: string;
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: { readonly properties?: Readonly<Record<string, ChatToolParameter>>; readonly [key: string]: unknown };
    readonly [key: string]: unknown;
  };
}

/** The request's `tool_choice`. */
export type ChatToolChoice = 'none' | 'auto' | 'required' | { readonly type: string; readonly function: { readonly name: string } };

/** Options of `countChatTokens`. */
export interface CountChatTokensOptions {
  /** Model name; selects the encoding and the framing constants. Required. */
  readonly model: string;
  /** Tool definitions sent with the request. */
  readonly tools?: readonly ChatToolDefinition[];
  /** `tool_choice` sent with the request; `auto` (the default) adds nothing. */
  readonly toolChoice?: ChatToolChoice;
  /** Encoding to use when the model's is unknown; the count is then marked an estimate. */
  readonly defaultEncoding?: EncodingName;
}

/** Result of `countChatTokens`. */
export interface ChatTokenCount {
  /** Prompt tokens the request is expected to use. */
  readonly tokens: number;
  /** True when any rule used is not one OpenAI published and checked against the API. */
  readonly estimated: boolean;
  /** Why the count is an estimate, one sentence each, without prompt text; empty when exact. */
  readonly estimateReasons: readonly string[];
}
