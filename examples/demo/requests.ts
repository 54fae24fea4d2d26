// Turns texts into chat requests: a system message and a "summarise this" user message per chunk.
import type OpenAI from 'openai';
import { splitIntoChunks } from './chunks.js';
import type { TextDocument } from './corpus.js';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** Most requests the demo sends, whatever the size of the input. @default 1000 */
export const DEFAULT_MAX_REQUESTS = 1000;

/** One request of the demo, ready for `chat.completions.create`. */
export interface DemoRequest {
  /** Position in the run, from 0; also picks the model and the message shape. */
  readonly index: number;
  readonly model: string;
  readonly stream: boolean;
  readonly messages: ChatMessage[];
  /** `max_completion_tokens`, when this request sets one. */
  readonly maxCompletionTokens: number | undefined;
  /** UTF-8 bytes of the prompt's text (every message's text), for the counting throughput. */
  readonly promptTextBytes: number;
  /** Where the text came from, e.g. `de/faust.txt part 3/7`; for messages about this request. */
  readonly origin: string;
  /** Shape of the messages, e.g. `user name, 2 text parts`; for messages about this request. */
  readonly shape: string;
}

/** The requests built from some texts. */
export interface BuiltRequests {
  readonly requests: readonly DemoRequest[];
  /** Chunks found in the texts; more than `requests.length` when `maxRequests` cut the run. */
  readonly chunkCount: number;
}

const SYSTEM_PROMPTS = [
  'You are a careful editor. Summarise the text you are given in at most three sentences, in the language of the text.',
  'You write short abstracts for a library catalogue. Reply with one paragraph and no preamble.',
  'You explain source code and documents to new team members. Say what the excerpt is about and what stands out.',
];

function textBytes(messages: readonly ChatMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    const { content } = message;
    if (typeof content === 'string') bytes += Buffer.byteLength(content);
    else if (Array.isArray(content)) {
      for (const part of content) if (part.type === 'text') bytes += Buffer.byteLength(part.text);
    }
  }
  return bytes;
}

/** Builds the messages of request `index`, varying their shape with the index. */
function buildMessages(index: number, chunk: string, origin: string) {
  const instruction = `Summarise this excerpt of ${origin}.`;
  const namedSystem = index % 7 === 3;
  const namedUser = index % 3 === 1;
  const parts = index % 4 === 2;
  const system: ChatMessage = {
    role: 'system',
    content: SYSTEM_PROMPTS[index % SYSTEM_PROMPTS.length] ?? '',
    ...(namedSystem ? { name: 'house_style' } : {}),
  };
  const user: ChatMessage = {
    role: 'user',
    content: parts
      ? [
          { type: 'text', text: instruction },
          { type: 'text', text: chunk },
        ]
      : `${instruction}\n\n${chunk}`,
    ...(namedUser ? { name: `reader_${index % 11}` } : {}),
  };
  const shape = [
    namedSystem ? 'system name' : '',
    namedUser ? 'user name' : '',
    parts ? '2 text parts' : 'string content',
  ];
  return { messages: [system, user], shape: shape.filter((item) => item !== '').join(', ') };
}

/**
 * Builds up to `maxRequests` chat requests from `documents`: each text is split into chunks of a
 * few KB, each chunk becomes a system message plus a user message asking for a summary. Models go
 * round-robin over `models`; every model gets streaming and non-streaming requests alike (they
 * alternate per round); some messages carry a `name`, some user contents are arrays of text parts,
 * and every third request sets `max_completion_tokens`.
 *
 * @param maxRequests most requests to build. @default 1000
 */
export function buildRequests(
  documents: readonly TextDocument[],
  models: readonly string[],
  maxRequests: number = DEFAULT_MAX_REQUESTS,
): BuiltRequests {
  const requests: DemoRequest[] = [];
  let chunkCount = 0;
  for (const document of documents) {
    const chunks = splitIntoChunks(document.text);
    chunkCount += chunks.length;
    for (const [chunkIndex, chunk] of chunks.entries()) {
      if (requests.length >= maxRequests) continue;
      const index = requests.length;
      const origin = `${document.name} part ${chunkIndex + 1}/${chunks.length}`;
      const { messages, shape } = buildMessages(index, chunk, origin);
      const round = Math.floor(index / models.length);
      requests.push({
        index,
        model: models[index % models.length] ?? '',
        stream: round % 2 === 0,
        messages,
        maxCompletionTokens: index % 3 === 0 ? 24 + (index % 40) : undefined,
        promptTextBytes: textBytes(messages),
        origin,
        shape,
      });
    }
  }
  return { requests, chunkCount };
}
