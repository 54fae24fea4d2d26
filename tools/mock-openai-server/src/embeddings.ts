// POST /v1/embeddings: deterministic unit vectors derived from the input, float or base64.
import { createHash } from 'node:crypto';
import { sendJson, pause } from './http-utils.js';
import { badRequest, dropConnection, resolveModel, type HandlerContext } from './context.js';
import { countText } from './tokens.js';

const DEFAULT_DIMENSIONS = 1536;
const LARGE_DIMENSIONS = 3072;
const MAX_DIMENSIONS = 8192;

type EmbeddingInput = string | number[];

/** Reads `input` as a list of strings or token arrays; `undefined` when it is neither. */
function inputList(input: unknown): EmbeddingInput[] | undefined {
  const isTokens = (value: unknown): value is number[] =>
    Array.isArray(value) && value.length > 0 && value.every((item) => Number.isInteger(item));
  if (typeof input === 'string' || isTokens(input)) return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'string' || isTokens(item)))
    return input as EmbeddingInput[];
  return undefined;
}

/** A deterministic unit vector for `input`, from a SHA-256 counter stream. */
function vectorFor(input: EmbeddingInput, dimensions: number): Float32Array {
  const seed = typeof input === 'string' ? input : input.join(',');
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let block = 0; block * 8 < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${seed}`).digest();
    for (let lane = 0; lane < 8 && block * 8 + lane < dimensions; lane += 1) {
      const value = digest.readInt32LE(lane * 4) / 2 ** 31;
      vector[block * 8 + lane] = value;
      norm += value * value;
    }
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let index = 0; index < dimensions; index += 1) vector[index] = (vector[index] ?? 0) * scale;
  return vector;
}

/** Handles one embeddings request. */
export async function handleEmbeddings(context: HandlerContext): Promise<void> {
  const model = resolveModel(context);
  if (model === undefined) return;
  const inputs = inputList(context.body.input);
  if (inputs === undefined) {
    badRequest(
      context,
      "Invalid 'input': expected a string, an array of strings or token arrays.",
      'input',
    );
    return;
  }
  const requested = context.body.dimensions;
  if (
    requested !== undefined &&
    !(
      Number.isInteger(requested) &&
      (requested as number) > 0 &&
      (requested as number) <= MAX_DIMENSIONS
    )
  ) {
    badRequest(
      context,
      `Invalid 'dimensions': expected an integer from 1 to ${MAX_DIMENSIONS}.`,
      'dimensions',
    );
    return;
  }
  const dimensions =
    (requested as number | undefined) ??
    (model.name.includes('large') ? LARGE_DIMENSIONS : DEFAULT_DIMENSIONS);
  const base64 = context.body.encoding_format === 'base64';

  const promptTokens = inputs.reduce(
    (sum, input) =>
      sum + (typeof input === 'string' ? countText(model.encoding, input) : input.length),
    0,
  );
  const data = inputs.map((input, index) => {
    const vector = vectorFor(input, dimensions);
    const embedding = base64
      ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
      : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  if (!(await pause(model.latencyMs, context.signal))) return;
  if (context.drop) {
    dropConnection(context);
    return;
  }
  context.recordUsage(model.name, promptTokens, 0);
  sendJson(
    context.response,
    200,
    {
      object: 'list',
      data,
      model: model.name,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    { 'x-request-id': context.requestId },
  );
}
