import { MAX_DEPLOYMENTS, MAX_TAGS, type RouterEngine } from './engine.js';
import { FallbackRouter } from './fallback-router.js';

const routers: FallbackRouter[] = [];
/** Open routers by name: their handle and how many opens are not closed yet. */
const byName = new Map<string, { handle: number; opens: number }>();

function routerAt(handle: number): FallbackRouter {
  const router = routers[handle];
  if (router === undefined) throw new RangeError(`no router has handle ${handle}`);
  return router;
}

function groupOf(router: FallbackRouter, group: number): number {
  if (!router.hasGroup(group)) throw new RangeError(`no group has handle ${group}`);
  return group;
}

function deploymentOf(router: FallbackRouter, deployment: number): number {
  if (!router.hasDeployment(deployment)) throw new RangeError(`no deployment has handle ${deployment}`);
  return deployment;
}

/**
 * The pure-TS router engine. State is per thread (a module-level registry by router name), so
 * worker threads do not share it; the native engine does.
 */
export const fallbackRouterEngine: RouterEngine = {
  kind: 'fallback',
  open(name, config) {
    const open = byName.get(name);
    if (open !== undefined) {
      open.opens += 1;
      return open.handle;
    }
    const handle = routers.length;
    routers.push(new FallbackRouter(config));
    byName.set(name, { handle, opens: 1 });
    return handle;
  },
  close(name) {
    const open = byName.get(name);
    if (open !== undefined && (open.opens -= 1) === 0) byName.delete(name);
  },
  group: (router, name) => routerAt(router).group(name),
  tag(router, name) {
    const tags = routerAt(router).tags;
    const known = tags.get(name);
    if (known !== undefined) return known;
    if (tags.size >= MAX_TAGS) return -1;
    tags.set(name, tags.size);
    return tags.size - 1;
  },
  deployment(router, group, id, spec) {
    const state = routerAt(router);
    if (!state.ids.has(id) && state.ids.size >= MAX_DEPLOYMENTS) throw new RangeError('too many deployments');
    return state.addDeployment(groupOf(state, group), id, spec);
  },
  pick(router, group, nowMs, requestTokens, tagMask, stream, exclude) {
    const state = routerAt(router);
    return state.pick(groupOf(state, group), nowMs, requestTokens, tagMask >>> 0, stream, exclude);
  },
  acquire(router, group, nowMs, requestTokens, tagMask, stream, exclude) {
    const state = routerAt(router);
    return state.acquire(groupOf(state, group), nowMs, requestTokens, tagMask >>> 0, stream, exclude);
  },
  release: (router, lease, nowMs, outcome, latencyMs, firstTokenMs, outputTokens, totalTokens, retryAfterMs) =>
    routerAt(router).release(lease, nowMs, outcome, latencyMs, firstTokenMs, outputTokens, totalTokens, retryAfterMs),
  setHealthy(router, deployment, healthy) {
    const state = routerAt(router);
    state.deploymentState(deploymentOf(state, deployment)).healthy = healthy;
  },
  setHeadroom(router, deployment, requests, tokens) {
    const state = routerAt(router);
    const target = state.deploymentState(deploymentOf(state, deployment));
    target.headroomRequests = requests;
    target.headroomTokens = tokens;
  },
  snapshot: (router, nowMs) => routerAt(router).snapshot(nowMs),
  coolUntil(router, deployment, untilMs) {
    const state = routerAt(router);
    return state.deploymentState(deploymentOf(state, deployment)).coolUntil(untilMs);
  },
  setSharedUsage(router, deployment, minute, requests, tokens) {
    const state = routerAt(router);
    state.deploymentState(deploymentOf(state, deployment)).setSharedUsage(minute, requests, tokens);
  },
  report(router, deployment, minute) {
    const state = routerAt(router);
    return state.deploymentState(deploymentOf(state, deployment)).report(minute);
  },
  instance: (router) => routerAt(router).instance,
};
