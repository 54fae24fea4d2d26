import { TollgateError } from '../errors.js';
import { getEncodingNameForModel } from '../models/encoding-for-model.js';
import { normalizeModelName } from '../models/model-name.js';
import { findModelInfo } from '../models/model-registry.js';
import type { EncodingName } from '../tokenizer/encoding-name.js';
import type { ImageRule } from './image-tokens.js';

/** Per-function constants of OpenAI's cookbook `num_tokens_for_tools`. */
export interface ToolConstants {
  readonly functionInit: number;
  readonly propertyInit: number;
  readonly propertyKey: number;
  readonly enumInit: number;
  readonly enumItem: number;
  readonly functionEnd: number;
}

/** Everything `countChatTokens` needs to know about one model. */
export interface ChatRules {
  readonly encoding: EncodingName;
  readonly tokensPerMessage: number;
  readonly tokensPerName: number;
  /** `<|start|>assistant<|message|>` that primes every reply. */
  readonly replyPriming: number;
  readonly tools: ToolConstants;
  /** Why the tool constants are not the cookbook's for this model; `undefined` when they are. */
  readonly toolsEstimateReason: string | undefined;
  readonly image: ImageRule;
  /** Why the image rule is not a documented one for this model; `undefined` when it is. */
  readonly imageEstimateReason: string | undefined;
  /** Reasons that apply to every count with this model (unknown family, default encoding). */
  readonly baseReasons: readonly string[];
}

// Cookbook constants: gpt-4o / gpt-4o-mini use 7 per function, gpt-3.5-turbo / gpt-4 use 10.
const O200K_TOOLS: ToolConstants = { functionInit: 7, propertyInit: 3, propertyKey: 3, enumInit: -3, enumItem: 3, functionEnd: 12 };
const CL100K_TOOLS: ToolConstants = { ...O200K_TOOLS, functionInit: 10 };

// Families whose message framing the cookbook's num_tokens_from_messages covers and checked.
const COOKBOOK_MESSAGES = /^(gpt-3\.5-turbo|gpt-35-turbo|gpt-4o|gpt-4)(-|$)/;
// Families whose tool definitions the cookbook's num_tokens_for_tools covers and checked.
const COOKBOOK_TOOLS_O200K = /^gpt-4o(-|$)/;
const COOKBOOK_TOOLS_CL100K = /^(gpt-3\.5-turbo|gpt-35-turbo|gpt-4)(-|$)/;

const TILES_GPT_4O: ImageRule = { kind: 'tiles', baseTokens: 85, tileTokens: 170 };
// Image rules by family, first match wins. Patch multipliers and the o-series / gpt-5 tile
// constants follow OpenAI's vision guide as recalled; only the 4o / 4o-mini constants were checked.
const IMAGE_RULES: ReadonlyArray<readonly [RegExp, ImageRule, string | undefined]> = [
  [/^gpt-4o-mini(-|$)/, { kind: 'tiles', baseTokens: 2833, tileTokens: 5667 }, undefined],
  [/^(gpt-4\.1-mini|gpt-5-mini)(-|$)/, { kind: 'patches', multiplier: 1.62 }, 'patch-based image rule (multiplier 1.62) not checked against the API'],
  [/^(gpt-4\.1-nano|gpt-5-nano)(-|$)/, { kind: 'patches', multiplier: 2.46 }, 'patch-based image rule (multiplier 2.46) not checked against the API'],
  [/^o4-mini(-|$)/, { kind: 'patches', multiplier: 1.72 }, 'patch-based image rule (multiplier 1.72) not checked against the API'],
  [/^(o1|o3)(-|$)/, { kind: 'tiles', baseTokens: 75, tileTokens: 150 }, undefined],
  [/^gpt-5(-|$|\.)/, { kind: 'tiles', baseTokens: 70, tileTokens: 140 }, 'gpt-5 image constants (70 + 140 per tile) not checked against the API'],
  [/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|chatgpt-4o)(-|$)/, TILES_GPT_4O, undefined],
];

function resolveEncoding(model: string, defaultEncoding: EncodingName | undefined, reasons: string[]): EncodingName {
  try {
    return getEncodingNameForModel(model);
  } catch (error) {
    const unknown = TollgateError.isInstance(error) && (error.code === 'ERR_UNKNOWN_MODEL' || error.code === 'ERR_UNKNOWN_ENCODING');
    if (!unknown || defaultEncoding === undefined) throw error;
    reasons.push(`the model's tokenizer is unknown, so ${defaultEncoding} (defaultEncoding) was used`);
    return getEncodingNameForModel(model, { defaultEncoding });
  }
}

/**
 * The counting constants for `model`: OpenAI cookbook rules for the families it covers, the
 * gpt-4o rules (marked as estimates) for the others.
 *
 * @throws TollgateError `ERR_UNKNOWN_MODEL` / `ERR_UNKNOWN_ENCODING` when the encoding is unknown
 *   and no `defaultEncoding` is given.
 */
export function resolveChatRules(model: string, defaultEncoding: EncodingName | undefined): ChatRules {
  const baseReasons: string[] = [];
  const encoding = resolveEncoding(model, defaultEncoding, baseReasons);
  const normalized = normalizeModelName(model);
  const family = findModelInfo(model)?.name ?? normalized;

  const legacy = normalized.startsWith('gpt-3.5-turbo-0301');
  if (!COOKBOOK_MESSAGES.test(family)) {
    baseReasons.push(`message framing for ${family.slice(0, 60)} is not in OpenAI's cookbook; the gpt-4o rule (3 per message, 1 per name, 3 reply priming) was assumed`);
  }

  let tools = encoding === 'cl100k_base' ? CL100K_TOOLS : O200K_TOOLS;
  let toolsEstimateReason: string | undefined;
  if (COOKBOOK_TOOLS_O200K.test(family)) tools = O200K_TOOLS;
  else if (COOKBOOK_TOOLS_CL100K.test(family)) tools = CL100K_TOOLS;
  else toolsEstimateReason = `tool-definition constants for ${family.slice(0, 60)} are not in OpenAI's cookbook; the ${tools === O200K_TOOLS ? 'gpt-4o' : 'gpt-4'} constants were used`;

  let image: ImageRule = TILES_GPT_4O;
  let imageEstimateReason: string | undefined = `no documented image rule for ${family.slice(0, 60)}; the gpt-4o tile rule was used`;
  const match = IMAGE_RULES.find(([pattern]) => pattern.test(family));
  if (match !== undefined) [, image, imageEstimateReason] = match;

  return {
    encoding,
    tokensPerMessage: legacy ? 4 : 3,
    tokensPerName: legacy ? -1 : 1,
    replyPriming: 3,
    tools,
    toolsEstimateReason,
    image,
    imageEstimateReason,
    baseReasons,
  };
}
