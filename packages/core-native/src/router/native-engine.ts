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
  routerReport(router: number, deployment: number, minute: number): Float64Array;
  routerInstance(router: number): string;
  routerUseIo(io: Float64Array): void;
  routerPickPacked(): number;
  routerAcquirePacked(): number;
  routerReleasePacked(): number;
}

/** Where the packed pick and acquire read excluded handles in the I/O array (their count just before). */
const EXCLUDE_AT = 7;
/** Most excluded handles a packed call carries; longer lists pass as an argument. */
const MAX_PACKED_EXCLUDE = 57;

/** Where the I/O array hangs on the binding's exports, which every copy of this module in a thread shares. */
interface IoHolder {
  tollgateRouterIo?: Float64Array;
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
  if (typeof binding.routerUseIo !== 'function') return new Error('the native binary predates packed router calls; rebuild it');
  // This thread's I/O array for the packed calls: the hot calls write their numbers here and the
  // binding reads them without converting arguments (see `router_use_io`). It hangs on the
  // exports object (one per thread, cached by `require`), so two copies of this module loaded in
  // one thread (sources and build) share it instead of registering two; it is kept alive there
  // for the life of the thread and never detached.
  const holder = binding as unknown as IoHolder;
  const io = (holder.tollgateRouterIo ??= new Float64Array(EXCLUDE_AT + MAX_PACKED_EXCLUDE));
  binding.routerUseIo(io);
  const { routerPickPacked, routerAcquirePacked, routerReleasePacked } = binding;
  /** Writes a pick's numbers into `io`; false when `exclude` is too long to pack. */
  const pack = (router: number, group: number, nowMs: number, requestTokens: number, tagMask: number, stream: boolean, exclude: Uint32Array | null): boolean => {
    io[0] = router;
    io[1] = group;
    io[2] = nowMs;
    io[3] = requestTokens;
    io[4] = tagMask;
    io[5] = stream ? 1 : 0;
    if (exclude === null) {
      io[EXCLUDE_AT - 1] = 0;
      return true;
    }
    if (exclude.length > MAX_PACKED_EXCLUDE) return false;
    io[EXCLUDE_AT - 1] = exclude.length;
    io.set(exclude, EXCLUDE_AT);
    return true;
  };
  return {
    kind: 'native',
    open: (name, config) => binding.routerOpen(name, config),
    close: (name) => binding.routerClose(name),
    group: (router, name) => binding.routerGroup(router, name),
    tag: (router, name) => binding.routerTag(router, name),
    deployment: (router, group, id, spec) => binding.routerDeployment(router, group, id, spec),
    pick: (router, group, nowMs, requestTokens, tagMask, stream, exclude) =>
      pack(router, group, nowMs, requestTokens, tagMask, stream, exclude)
        ? routerPickPacked()
        : binding.routerPick(router, group, nowMs, requestTokens, tagMask, stream, exclude),
    acquire: (router, group, nowMs, requestTokens, tagMask, stream, exclude) =>
      pack(router, group, nowMs, requestTokens, tagMask, stream, exclude)
        ? routerAcquirePacked()
        : binding.routerAcquire(router, group, nowMs, requestTokens, tagMask, stream, exclude),
    release: (router, lease, nowMs, outcome, latencyMs, firstTokenMs, outputTokens, totalTokens, retryAfterMs) => {
      io[0] = router;
      io[1] = lease;
      io[2] = nowMs;
      io[3] = outcome;
      io[4] = latencyMs;
      io[5] = firstTokenMs;
      io[6] = outputTokens;
      io[7] = totalTokens;
      io[8] = retryAfterMs;
      return routerReleasePacked();
    },
    setHealthy: (router, deployment, healthy) => binding.routerSetHealthy(router, deployment, healthy),
    setHeadroom: (router, deployment, requests, tokens) => binding.routerSetHeadroom(router, deployment, requests, tokens),
    snapshot: (router, nowMs) => binding.routerSnapshot(router, nowMs),
    coolUntil: (router, deployment, untilMs) => binding.routerCoolUntil(router, deployment, untilMs),
    setSharedUsage: (router, deployment, minute, requests, tokens) => binding.routerSetSharedUsage(router, deployment, minute, requests, tokens),
    report: (router, deployment, minute) => binding.routerReport(router, deployment, minute),
    instance: (router) => binding.routerInstance(router),
  };
}
