import { loadNativeBinding } from '../native/binding.js';
import type { RouterEngine } from './engine.js';

/** The router functions of the Rust binding (`crates/tollgate-node/src/router`). */
interface RouterBinding {
  routerOpen(name: string, config: Float64Array): number;
  routerClose(name: string): void;
  routerGroup(router: number, name: string): number;
  routerTag(router: number, name: string): number;
  routerDeployment(router: number, group: number, id: string, spec: Float64Array): number;
  routerPick(router: number, group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number;
  routerAcquire(router: number, group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): number;
  routerRelease(router: number, lease: number, nowMs: number, outcome: number, latencyMs: number, firstTokenMs: number, outputTokens: number, totalTokens: number, retryAfterMs: number): number;
  routerSetHealthy(router: number, deployment: number, healthy: boolean): void;
  routerSetHeadroom(router: number, deployment: number, requests: number, tokens: number): void;
  routerSnapshot(router: number, nowMs: number): Float64Array;
  routerCoolUntil(router: number, deployment: number, untilMs: number): number;
  routerSetSharedUsage(router: number, deployment: number, minute: number, requests: number, tokens: number): void;
}

let loaded: RouterEngine | Error | undefined;

/** The Rust router engine, or why it is unavailable (no binary, or a binary without a router). */
export function nativeRouterEngine(): RouterEngine | Error {
  loaded ??= load();
  return loaded;
}

function load(): RouterEngine | Error {
  const binding = loadNativeBinding() as unknown as RouterBinding | Error;
  if (binding instanceof Error) return binding;
  if (typeof binding.routerAcquire !== 'function') return new Error('the native binary has no router; rebuild it');
  if (typeof binding.routerCoolUntil !== 'function') return new Error('the native binary predates shared router state; rebuild it');
  return {
    kind: 'native',
    open: (name, config) => binding.routerOpen(name, config),
    close: (name) => binding.routerClose(name),
    group: (router, name) => binding.routerGroup(router, name),
    tag: (router, name) => binding.routerTag(router, name),
    deployment: (router, group, id, spec) => binding.routerDeployment(router, group, id, spec),
    pick: binding.routerPick,
    acquire: binding.routerAcquire,
    release: binding.routerRelease,
    setHealthy: (router, deployment, healthy) => binding.routerSetHealthy(router, deployment, healthy),
    setHeadroom: (router, deployment, requests, tokens) => binding.routerSetHeadroom(router, deployment, requests, tokens),
    snapshot: (router, nowMs) => binding.routerSnapshot(router, nowMs),
    coolUntil: (router, deployment, untilMs) => binding.routerCoolUntil(router, deployment, untilMs),
    setSharedUsage: (router, deployment, minute, requests, tokens) => binding.routerSetSharedUsage(router, deployment, minute, requests, tokens),
  };
}
