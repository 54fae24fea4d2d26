// The work one thread of a concurrent row does, as plain data (it crosses to the worker).
import type { SeedDeployment } from '../workload.js';

/**
 * Limiter contenders that run inside a worker. `native-batched` is ours checking its keys
 * `keys.length` at a time through one `tryAcquireMany` (a diagnostic column, not a peer).
 */
export type LimiterContender = 'native' | 'native-batched' | 'fallback' | 'rate-limiter-flexible' | 'bottleneck';
/**
 * Pool contenders: our pools' fetch, our pools as the dispatcher of Node's global fetch,
 * undici's fetch on a plain Agent, Node's global fetch.
 */
export type PoolContender = 'pools' | 'pools-global' | 'undici' | 'default';

/** One thread's job; `name` lets native contenders share state across threads. */
export type ConcurrentJob =
  | { readonly kind: 'limiter'; readonly contender: LimiterContender; readonly name: string; readonly keys: readonly string[] }
  | { readonly kind: 'router'; readonly engine: 'native' | 'fallback'; readonly name: string; readonly deployments: readonly SeedDeployment[]; readonly models: readonly string[] }
  | { readonly kind: 'pool'; readonly contender: PoolContender; readonly urls: readonly string[]; readonly connections: number };

/** Messages from the main thread: set up a job, run a batch of it, or end it. */
export type ToWorker = { readonly type: 'setup'; readonly job: ConcurrentJob } | { readonly type: 'run'; readonly ops: number } | { readonly type: 'stop' };
/** Messages to the main thread. */
export type FromWorker = { readonly type: 'ready' } | { readonly type: 'done'; readonly ops: number } | { readonly type: 'stopped' };
