// Starts a real redis-server on 127.0.0.1 on a free port, with no persistence, in a temporary
// directory; can stop it and start it again on the same port (for outage tests).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** The install command the tests and `.ci/run` rely on (Debian). */
export const REDIS_INSTALL_HINT = 'apt-get install -y redis-server';

/** True when a `redis-server` binary is on PATH. */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts redis-server and resolves once it accepts connections. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-redis-'));
  let child: ChildProcess | undefined;

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory];
      const process = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = process;
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${output}`)), 10_000);
      process.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      process.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const process = child;
      child = undefined;
      if (process === undefined || process.exitCode !== null) return resolve();
      process.once('exit', () => resolve());
      process.kill('SIGKILL');
    });

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * An ioredis client connected to the test server on `port`, failing fast while it is down (no
 * offline queue, no retries per command, reconnecting every 50 ms); added to `clients` so the
 * test can disconnect them all.
 */
export async function connectRedis(port: number, clients: Redis[]): Promise<Redis> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  clients.push(redis);
  await redis.connect();
  return redis;
}

/** Requests and tokens of a usage hash, summed over the processes that stored theirs. */
export async function usageTotals(redis: Redis, key: string): Promise<{ r: number; t: number }> {
  const totals = { r: 0, t: 0 };
  for (const [field, value] of Object.entries(await redis.hgetall(key))) {
    if (field.endsWith(':r')) totals.r += Number(value);
    else if (field.endsWith(':t')) totals.t += Number(value);
  }
  return totals;
}
