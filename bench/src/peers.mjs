// The tokenizers a user would otherwise pick, behind one shape: load once, then count a text.
import { getEncoding } from 'js-tiktoken';
import { get_encoding as getWasmEncoding } from 'tiktoken';

export const PEERS = ['js-tiktoken', 'gpt-tokenizer', 'tiktoken (wasm)'];

/** Returns a function text -> token count for `peer` on `encoding`. */
export async function loadPeer(peer, encoding) {
  if (peer === 'js-tiktoken') {
    const tokenizer = getEncoding(encoding);
    return (text) => tokenizer.encode(text, [], []).length;
  }
  if (peer === 'gpt-tokenizer') {
    const tokenizer = await import(`gpt-tokenizer/encoding/${encoding}`);
    return (text) => tokenizer.countTokens(text);
  }
  if (peer === 'tiktoken (wasm)') {
    const tokenizer = getWasmEncoding(encoding);
    return (text) => tokenizer.encode_ordinary(text).length;
  }
  throw new Error(`unknown peer ${peer}`);
}

export function countPeer(counter, text) {
  return counter(text);
}
