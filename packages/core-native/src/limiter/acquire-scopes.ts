import { TollgateError, invalidArgument } from '../errors.js';
import { abortError } from '../tokenizer/abort.js';
import { checkCost, type AcquireCost, type CheckedCost } from './cost.js';
import { remainingRecord, type LimitDecision } from './decision.js';
import { publish } from './events.js';
import { Lease, type LeasePart } from './lease.js';
import type { Limiter } from './limiter.js';
import { LimiterKey } from './limiter-key.js';
import { HEADER, MAX_SCOPES, OUTCOME, SCOPE_HEADER } from './store.js';
import type { AttemptResult } from './wait-queue.js';
import { waitForAdmission } from './wait-for-admission.js';

/** One key of one limiter, for calls that span several scopes (user, team, deployment...). */
export interface LimiterScope {
  readonly limiter: Limiter;
  readonly key: string | LimiterKey;
}

/** Options of `acquire`. */
export interface AcquireOptions {
  /** Gives up with `ERR_ABORTED` when this aborts. */
  readonly signal?: AbortSignal;
  /** Gives up with `ERR_LIMIT_TIMEOUT` after this many ms of waiting; default: waits forever. */
  readonly timeoutMs?: number;
  /** Higher goes first; equal priorities are served in arrival order. Default 0. */
  readonly priority?: number;
}

interface Resolved {
  readonly limiter: Limiter;
  readonly key: LimiterKey;
}

function resolveScopes(scopes: readonly LimiterScope[]): Resolved[] {
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.length > MAX_SCOPES) {
    throw invalidArgument('scopes', `an array of 1 to ${MAX_SCOPES} scopes`, scopes);
  }
  const first = scopes[0]!.limiter;
  const seen = new Set<string>();
  return scopes.map(({ limiter, key }, index) => {
    if (limiter?.store !== first?.store || limiter.queue !== first.queue) {
      throw invalidArgument(`scopes[${index}].limiter`, 'a limiter with the same backend, clock and pollIntervalMs as scopes[0]', limiter);
    }
    limiter.assertOpen();
    let resolved: LimiterKey;
    if (key instanceof LimiterKey && key.limiterId === limiter.id) resolved = key;
    else if (typeof key === 'string' && key !== '') resolved = new LimiterKey(key, limiter.store.key(limiter.id, key, limiter.clock.now()), limiter.id);
    else throw invalidArgument(`scopes[${index}].key`, 'a non-empty string or a key of this limiter', key);
    const identity = `${limiter.id}\u0000${resolved.name}`;
    if (seen.has(identity)) throw invalidArgument(`scopes[${index}].key`, 'a key not already in the scopes', resolved.name);
    seen.add(identity);
    return { limiter, key: resolved };
  });
}

const scratch = new Map<number, Float64Array>();

function attempt(resolved: readonly Resolved[], cost: CheckedCost): LimitDecision {
  const first = resolved[0]!.limiter;
  const store = first.store;
  let out = store.output;
  if (resolved.length > 1) {
    const length = HEADER + resolved.reduce((sum, { limiter }) => sum + SCOPE_HEADER + limiter.labels.length, 0);
    out = scratch.get(length) ?? new Float64Array(length);
    scratch.set(length, out);
  }
  for (let tries = 0; ; tries += 1) {
    const now = first.clock.now();
    const outcome =
      resolved.length === 1
        ? store.tryOne(first.id, resolved[0]!.key.handle, cost.requests, cost.tokens, now)
        : store.tryMany(
            Uint32Array.from(resolved, (scope) => scope.limiter.id),
            Float64Array.from(resolved, (scope) => scope.key.handle),
            cost.requests,
            cost.tokens,
            now,
            out,
          );
    if (outcome === OUTCOME.admitted || outcome === OUTCOME.refused) return decide(resolved, cost, out, outcome === OUTCOME.admitted);
    const scope = resolved[out[2]!]!;
    if (outcome === OUTCOME.staleKey && tries < 3) {
      scope.key.handle = store.key(scope.limiter.id, scope.key.name, now);
      continue;
    }
    if (outcome === OUTCOME.exceedsCapacity) {
      const label = scope.limiter.labels[out[3]!]!;
      const amount = label.startsWith('tokens') ? cost.tokens : cost.requests;
      throw new TollgateError(
        'ERR_COST_EXCEEDS_CAPACITY',
        `Expected the cost to fit within \`${label}\` (capacity ${scope.limiter.capacities[out[3]!]}) of scope ${out[2]}, got ${amount}.`,
        { field: label, value: String(amount) },
      );
    }
    scope.limiter.assertOpen();
    throw new TollgateError('ERR_LIMITER_CLOSED', `The limiter ${JSON.stringify(scope.limiter.name)} is closed.`);
  }
}

function decide(resolved: readonly Resolved[], cost: CheckedCost, out: Float64Array, allowed: boolean): LimitDecision {
  const remainingByScope: Record<string, number>[] = [];
  const parts: LeasePart[] = [];
  let at = HEADER;
  for (const { limiter, key } of resolved) {
    remainingByScope.push(remainingRecord(limiter.labels, out, at + SCOPE_HEADER));
    if (allowed) parts.push({ owner: limiter, key, atMs: out[at]!, lease: out[at + 1]! });
    at += SCOPE_HEADER + limiter.labels.length;
  }
  const remaining = remainingByScope[0]!;
  if (allowed) return { allowed, retryAfterMs: 0, remaining, remainingByScope, lease: new Lease(parts, cost.tokens) };
  const limitedBy = { scope: out[2]!, limit: resolved[out[2]!]!.limiter.labels[out[3]!]! };
  return { allowed, retryAfterMs: out[1]!, remaining, remainingByScope, limitedBy };
}

/**
 * Takes `cost` from every scope at once or from none; answers at once.
 *
 * @throws {TollgateError} as {@link Limiter.tryAcquire}; `ERR_INVALID_ARGUMENT` when scopes mix
 *   backends or clocks, or name one key twice.
 */
export function tryAcquireAll(scopes: readonly LimiterScope[], cost?: AcquireCost): LimitDecision {
  const checked = checkCost(cost);
  return attemptScopes(scopes, checked);
}

/** @internal */
export function attemptScopes(scopes: readonly LimiterScope[], cost: AcquireCost | CheckedCost | undefined): LimitDecision {
  const checked = checkCost(cost);
  const resolved = resolveScopes(scopes);
  const decision = attempt(resolved, checked);
  if (decision.allowed) publish('admit', () => ({ limiter: resolved[0]!.limiter.name, keys: resolved.map((scope) => scope.key.name), ...checked, waitedMs: 0 }));
  return decision;
}

/**
 * The options of an `acquire`, checked, with their defaults (no signal, no timeout, priority 0).
 *
 * @throws {TollgateError} `ERR_INVALID_ARGUMENT` naming `options.signal`, `options.timeoutMs` or
 *   `options.priority`.
 */
export function checkAcquireOptions(options: AcquireOptions | undefined): { signal?: AbortSignal; timeoutMs: number; priority: number } {
  const { signal, timeoutMs = Infinity, priority = 0 } = options ?? {};
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('options.signal', 'an AbortSignal', signal);
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) throw invalidArgument('options.timeoutMs', 'a non-negative number of milliseconds', timeoutMs);
  if (typeof priority !== 'number' || !Number.isFinite(priority)) throw invalidArgument('options.priority', 'a finite number', priority);
  return { signal, timeoutMs, priority };
}

/**
 * Waits in fair order until `cost` fits every scope, then takes it from all of them at once.
 *
 * @throws {TollgateError} `ERR_LIMIT_TIMEOUT`, `ERR_ABORTED`, `ERR_COST_EXCEEDS_CAPACITY` (at
 *   once), `ERR_INVALID_ARGUMENT` for bad scopes, cost or options.
 */
export async function acquireAll(scopes: readonly LimiterScope[], cost?: AcquireCost, options?: AcquireOptions): Promise<Lease> {
  return acquireScopes(scopes, cost, options);
}

/** @internal */
export function acquireScopes(scopes: readonly LimiterScope[], cost: AcquireCost | undefined, options: AcquireOptions | undefined): Promise<Lease> {
  try {
    const checked = checkCost(cost);
    const resolved = resolveScopes(scopes);
    const { signal, timeoutMs, priority } = checkAcquireOptions(options);
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    return queued(resolved, checked, signal, timeoutMs, priority);
  } catch (error) {
    return Promise.reject(error);
  }
}

function queued(resolved: Resolved[], cost: CheckedCost, signal: AbortSignal | undefined, timeoutMs: number, priority: number): Promise<Lease> {
  const { clock, queue, name } = resolved[0]!.limiter;
  const keys = resolved.map((scope) => scope.key.name);
  const startedMs = clock.now();
  return waitForAdmission<Lease>({
    queue,
    clock,
    priority,
    scopes: resolved.map((scope) => `${scope.limiter.id}\u0000${scope.key.name}`),
    attempt(): AttemptResult<Lease> {
      try {
        const decision = attempt(resolved, cost);
        if (decision.allowed) return { kind: 'admitted', value: decision.lease! };
        return { kind: 'wait', retryAfterMs: decision.retryAfterMs };
      } catch (error) {
        return { kind: 'error', error };
      }
    },
    undo(lease) {
      lease.settle({ tokens: 0 });
      lease.release();
    },
    signal,
    timeoutMs,
    onAdmitted: () => publish('admit', () => ({ limiter: name, keys, ...cost, waitedMs: clock.now() - startedMs })),
    onQueued: () => publish('wait', () => ({ limiter: name, keys, waiting: queue.size })),
    onGiveUp: (reason) => publish(reason, () => ({ limiter: name, keys, waitedMs: clock.now() - startedMs })),
  });
}
