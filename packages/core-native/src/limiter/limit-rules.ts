import { invalidArgument } from '../errors.js';

/** What a limit counts. */
export type LimitMeasure = 'requests' | 'tokens';

/** The length of a sliding window. */
export type WindowUnit = 'second' | 'minute' | 'hour' | 'day';

/**
 * One limit that every key of a limiter obeys.
 * - `window`: at most `limit` units in any span of one `per` (sliding, no double burst at edges).
 * - `bucket`: a token bucket holding up to `capacity` units (the burst), refilled continuously at
 *   `refillPerSecond` units per second.
 * - `inFlight`: at most `max` requests admitted and not yet released.
 */
export type LimitRule =
  | { readonly type: 'window'; readonly measure: LimitMeasure; readonly limit: number; readonly per: WindowUnit }
  | { readonly type: 'bucket'; readonly measure: LimitMeasure; readonly capacity: number; readonly refillPerSecond: number }
  | { readonly type: 'inFlight'; readonly max: number };

/** Shorthands for the common limits; each adds one rule after the `limits` list. */
export interface LimitShorthands {
  readonly requestsPerSecond?: number;
  readonly requestsPerMinute?: number;
  readonly requestsPerHour?: number;
  readonly requestsPerDay?: number;
  readonly tokensPerSecond?: number;
  readonly tokensPerMinute?: number;
  readonly tokensPerHour?: number;
  readonly tokensPerDay?: number;
  readonly maxInFlight?: number;
}

/** A checked rule with the label under which its remaining amount is reported. */
export interface NormalizedRule {
  readonly label: string;
  readonly rule: LimitRule;
}

/** Window lengths in milliseconds. */
export const WINDOW_MS: Readonly<Record<WindowUnit, number>> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const MAX_WINDOW_LIMIT = 4_294_967_295;
const SHORTHANDS = [
  ['requestsPerSecond', 'requests', 'second'],
  ['requestsPerMinute', 'requests', 'minute'],
  ['requestsPerHour', 'requests', 'hour'],
  ['requestsPerDay', 'requests', 'day'],
  ['tokensPerSecond', 'tokens', 'second'],
  ['tokensPerMinute', 'tokens', 'minute'],
  ['tokensPerHour', 'tokens', 'hour'],
  ['tokensPerDay', 'tokens', 'day'],
] as const;

const capitalized = (unit: string): string => unit[0]!.toUpperCase() + unit.slice(1);

function positiveInteger(field: string, value: unknown, max = MAX_WINDOW_LIMIT): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(field, `an integer from 1 to ${max}`, value);
  }
  return value;
}

function positiveNumber(field: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value <= 0) {
    throw invalidArgument(field, minimum > 0 ? `a finite number >= ${minimum}` : 'a positive finite number', value);
  }
  return value;
}

function measureOf(field: string, value: unknown): LimitMeasure {
  if (value !== 'requests' && value !== 'tokens') throw invalidArgument(field, '"requests" or "tokens"', value);
  return value;
}

function checkRule(field: string, rule: unknown): NormalizedRule {
  if (typeof rule !== 'object' || rule === null) throw invalidArgument(field, 'a limit rule object', rule);
  const raw = rule as Record<string, unknown>;
  switch (raw['type']) {
    case 'window': {
      const measure = measureOf(`${field}.measure`, raw['measure']);
      const per = raw['per'];
      if (typeof per !== 'string' || !Object.hasOwn(WINDOW_MS, per)) {
        throw invalidArgument(`${field}.per`, '"second", "minute", "hour" or "day"', per);
      }
      const limit = positiveInteger(`${field}.limit`, raw['limit']);
      return { label: `${measure}Per${capitalized(per)}`, rule: { type: 'window', measure, limit, per: per as WindowUnit } };
    }
    case 'bucket': {
      const measure = measureOf(`${field}.measure`, raw['measure']);
      const capacity = positiveNumber(`${field}.capacity`, raw['capacity'], 1);
      const refillPerSecond = positiveNumber(`${field}.refillPerSecond`, raw['refillPerSecond'], 0);
      return { label: `${measure}Bucket`, rule: { type: 'bucket', measure, capacity, refillPerSecond } };
    }
    case 'inFlight':
      return { label: 'inFlight', rule: { type: 'inFlight', max: positiveInteger(`${field}.max`, raw['max']) } };
    default:
      throw invalidArgument(`${field}.type`, '"window", "bucket" or "inFlight"', raw['type']);
  }
}

/**
 * Checks `limits` and the shorthands and returns the rules in order.
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` naming the field, for a negative, fractional or
 *   NaN limit, an unknown unit or measure, two rules with the same label, or no rule at all.
 */
export function normalizeRules(limits: unknown, shorthands: LimitShorthands): NormalizedRule[] {
  if (limits !== undefined && !Array.isArray(limits)) throw invalidArgument('limits', 'an array of limit rules', limits);
  const rules = (limits ?? []).map((rule: unknown, index: number) => checkRule(`limits[${index}]`, rule));
  for (const [field, measure, per] of SHORTHANDS) {
    const value = shorthands[field];
    if (value !== undefined) rules.push(checkRule(field, { type: 'window', measure, per, limit: positiveInteger(field, value) }));
  }
  if (shorthands.maxInFlight !== undefined) {
    rules.push(checkRule('maxInFlight', { type: 'inFlight', max: positiveInteger('maxInFlight', shorthands.maxInFlight) }));
  }

  const seen = new Set<string>();
  for (const { label } of rules) {
    if (seen.has(label)) throw invalidArgument('limits', `rules with distinct labels (${label} appears twice)`, label);
    seen.add(label);
  }
  if (rules.length === 0) throw invalidArgument('limits', 'at least one limit rule', limits);
  return rules;
}

/** The numeric spec both stores take: lease timeout, then 4 numbers per rule. */
export function encodeSpec(rules: readonly NormalizedRule[], leaseTimeoutMs: number): Float64Array {
  const encoded = new Float64Array(1 + rules.length * 4);
  encoded[0] = leaseTimeoutMs;
  rules.forEach(({ rule }, index) => {
    const at = 1 + index * 4;
    if (rule.type === 'window') encoded.set([0, rule.measure === 'tokens' ? 1 : 0, rule.limit, WINDOW_MS[rule.per]], at);
    if (rule.type === 'bucket') encoded.set([1, rule.measure === 'tokens' ? 1 : 0, rule.capacity, rule.refillPerSecond], at);
    if (rule.type === 'inFlight') encoded.set([2, 0, rule.max, 0], at);
  });
  return encoded;
}
