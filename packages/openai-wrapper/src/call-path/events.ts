import { channel } from 'node:diagnostics_channel';

/**
 * Channels the call path publishes on. Payloads name models, deployments and keys; they never
 * hold an API key, a header or prompt text.
 * - `usage`: one {@link UsageRecord} per call, when the call is over.
 * - `attempt`: an attempt starts (`{ operation, model, deployment, attempt }`).
 * - `retry`: the call waits before another attempt (`{ model, attempt, delayMs, kind, status }`).
 * - `fallback`: the call moves to another model group (`{ from, to, reason }`).
 * - `limiterWait`: a reservation was granted after waiting (`{ model, key, waitedMs }`).
 * - `handlerError`: an `onUsage`/`onError` handler threw (`{ hook, error }`).
 */
export const CALL_CHANNELS = {
  usage: 'tollgate:openai:usage',
  attempt: 'tollgate:openai:attempt',
  retry: 'tollgate:openai:retry',
  fallback: 'tollgate:openai:fallback',
  limiterWait: 'tollgate:openai:limiter-wait',
  handlerError: 'tollgate:openai:handler-error',
} as const;

const channels = {
  usage: channel(CALL_CHANNELS.usage),
  attempt: channel(CALL_CHANNELS.attempt),
  retry: channel(CALL_CHANNELS.retry),
  fallback: channel(CALL_CHANNELS.fallback),
  limiterWait: channel(CALL_CHANNELS.limiterWait),
  handlerError: channel(CALL_CHANNELS.handlerError),
};

/** Publishes when someone listens; the payload is built only then. */
export function publish(event: keyof typeof CALL_CHANNELS, payload: () => object): void {
  const target = channels[event];
  if (target.hasSubscribers) target.publish(payload());
}
