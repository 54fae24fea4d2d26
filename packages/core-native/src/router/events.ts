import { channel } from 'node:diagnostics_channel';

/**
 * Channels the router publishes on. Payloads name the router, model group and deployment id;
 * they never hold an API key, a header or prompt text.
 * - `attempt`: a call starts on a deployment (`{ router, model, deployment, attempt }`).
 * - `failure`: a call failed (`{ router, model, deployment, kind, status, retryAfterMs }`).
 * - `cooldown`: a deployment cools (`{ router, deployment, untilMs }`).
 * - `retry`: `run` waits before another attempt (`{ router, model, attempt, delayMs }`).
 * - `fallback`: `run` moves to another model group (`{ router, from, to, reason }`).
 * - `exhausted`: `run` gave up (`{ router, model, attempts }`).
 * - `sharedUnavailable`: Redis of the shared state stopped answering (`{ router, policy, error }`).
 * - `sharedRecovered`: it answers again (`{ router, policy }`).
 *
 * A `cooldown` read from Redis (started by another process) carries `source: 'redis'`.
 */
export const ROUTER_CHANNELS = {
  attempt: 'tollgate:router:attempt',
  failure: 'tollgate:router:failure',
  cooldown: 'tollgate:router:cooldown',
  retry: 'tollgate:router:retry',
  fallback: 'tollgate:router:fallback',
  exhausted: 'tollgate:router:exhausted',
  sharedUnavailable: 'tollgate:router:shared-unavailable',
  sharedRecovered: 'tollgate:router:shared-recovered',
} as const;

const channels = {
  attempt: channel(ROUTER_CHANNELS.attempt),
  failure: channel(ROUTER_CHANNELS.failure),
  cooldown: channel(ROUTER_CHANNELS.cooldown),
  retry: channel(ROUTER_CHANNELS.retry),
  fallback: channel(ROUTER_CHANNELS.fallback),
  exhausted: channel(ROUTER_CHANNELS.exhausted),
  sharedUnavailable: channel(ROUTER_CHANNELS.sharedUnavailable),
  sharedRecovered: channel(ROUTER_CHANNELS.sharedRecovered),
};

/** Publishes when someone listens; the payload is built only then. */
export function publish(event: keyof typeof ROUTER_CHANNELS, payload: () => object): void {
  const target = channels[event];
  if (target.hasSubscribers) target.publish(payload());
}
