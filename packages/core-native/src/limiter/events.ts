import { channel, type Channel } from 'node:diagnostics_channel';

/**
 * Limiter events on `node:diagnostics_channel`, each named `tollgate:limiter:<event>`:
 * - `admit`: an attempt was admitted (`{ limiter, keys, requests, tokens, waitedMs }`).
 * - `reject`: a `tryAcquire` was refused (`{ limiter, keys, retryAfterMs, limit }`).
 * - `wait`: an `acquire` joined the queue (`{ limiter, keys, waiting }`).
 * - `timeout` / `abort`: a queued `acquire` gave up (`{ limiter, keys, waitedMs }`).
 * - `evict`: idle keys were evicted by `evictIdle()` (`{ limiter, evicted }`).
 * - `backend-unavailable` / `backend-recovered`: the Redis store failed or came back
 *   (`{ limiter, policy, error? }`).
 * Keys are the caller's key names; no other user data is published.
 */
export const LIMITER_EVENTS = ['admit', 'reject', 'wait', 'timeout', 'abort', 'evict', 'backend-unavailable', 'backend-recovered'] as const;

/** One of {@link LIMITER_EVENTS}. */
export type LimiterEventName = (typeof LIMITER_EVENTS)[number];

const channels = new Map<LimiterEventName, Channel>(LIMITER_EVENTS.map((name) => [name, channel(`tollgate:limiter:${name}`)]));

/** Publishes `build()` on the event's channel; `build` runs only when someone listens. */
export function publish(name: LimiterEventName, build: () => object): void {
  const target = channels.get(name)!;
  if (target.hasSubscribers) target.publish(build());
}

/** The `admit` and `reject` channels, for the hot path to test `hasSubscribers` directly. */
export const admitChannel = channels.get('admit')!;
export const rejectChannel = channels.get('reject')!;
