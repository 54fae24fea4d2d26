// Deterministic reply text: the words of the prompt, repeated, cut to a token budget.
import { countText, type MockEncodingName } from './tokens.js';

/** A reply the mock will send: its pieces (one per streamed delta) and its exact token count. */
export interface ReplyPlan {
  readonly pieces: readonly string[];
  readonly text: string;
  readonly completionTokens: number;
  readonly finishReason: 'stop' | 'length';
}

const FALLBACK_WORDS = ['mock', 'reply'];
const LONGEST_WORD_CHARACTERS = 40;
const FILLER_PIECE = ' ok';

/**
 * Plans a reply of `targetTokens` tokens built from the words of `sourceText`. When `maxTokens` is
 * below the target, the reply is cut to exactly `maxTokens` tokens (where the encoding allows) and
 * finishes with `length`, as OpenAI does.
 */
export function planReply(
  encoding: MockEncodingName,
  sourceText: string,
  targetTokens: number,
  maxTokens: number | undefined,
): ReplyPlan {
  const truncated = maxTokens !== undefined && maxTokens < targetTokens;
  const limit = Math.max(0, truncated ? maxTokens : targetTokens);
  const words = sourceText.split(/\s+/).filter((word) => word.length > 0);
  const source = words.length > 0 ? words : FALLBACK_WORDS;
  const pieces: string[] = [];
  let approximateTokens = 0;
  for (let index = 0; approximateTokens < limit; index += 1) {
    const word = (source[index % source.length] ?? '').slice(0, LONGEST_WORD_CHARACTERS);
    const piece = pieces.length === 0 ? word : ` ${word}`;
    const pieceTokens = countText(encoding, piece);
    if (approximateTokens + pieceTokens > limit) break;
    pieces.push(piece);
    approximateTokens += pieceTokens;
  }

  let completionTokens = countText(encoding, pieces.join(''));
  while (completionTokens > limit && pieces.length > 0) {
    pieces.pop();
    completionTokens = countText(encoding, pieces.join(''));
  }
  while (completionTokens < limit) {
    const next = countText(encoding, pieces.join('') + FILLER_PIECE);
    if (next !== completionTokens + 1) break;
    pieces.push(FILLER_PIECE);
    completionTokens = next;
  }

  const text = pieces.join('');
  return { pieces, text, completionTokens, finishReason: truncated ? 'length' : 'stop' };
}
