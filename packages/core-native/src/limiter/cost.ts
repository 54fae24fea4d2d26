import { invalidArgument } from '../errors.js';

/** What one attempt takes. */
export interface AcquireCost {
  /** Requests; default 1. Counted by request windows, request buckets and `inFlight`. */
  readonly requests?: number;
  /** LLM tokens (an estimate for a lease, settled later); default 0. */
  readonly tokens?: number;
}

/** A checked cost. */
export interface CheckedCost {
  readonly requests: number;
  readonly tokens: number;
}

/**
 * Checks a cost.
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` for a negative, fractional or non-numeric amount.
 */
export function checkCost(cost: AcquireCost | undefined, field = 'cost'): CheckedCost {
  if (cost === undefined) return { requests: 1, tokens: 0 };
  if (typeof cost !== 'object' || cost === null) throw invalidArgument(field, 'an object like { requests, tokens }', cost);
  const requests = cost.requests ?? 1;
  const tokens = cost.tokens ?? 0;
  if (!Number.isInteger(requests) || requests < 0 || requests > 4_294_967_295) {
    throw invalidArgument(`${field}.requests`, 'an integer from 0 to 4294967295', requests);
  }
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw invalidArgument(`${field}.tokens`, 'a non-negative integer', tokens);
  return { requests, tokens };
}
