// Several processes, each with several worker threads, share one Redis rate limit; each prints
// what it was admitted, and the totals add up to the limit exactly.
// Run: `pnpm exec tsx examples/rate-limit/main.ts` (needs redis-server: apt-get install -y redis-server).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROCESSES = 3;
const THREADS_PER_PROCESS = 4;
const LIMIT_PER_MINUTE = 500;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  process.stderr.write('redis-server is not installed; install it with: apt-get install -y redis-server\n');
  process.exit(1);
}

const port = await freePort();
const directory = mkdtempSync(join(tmpdir(), 'tollgate-example-redis-'));
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => redis.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Ready to accept connections') && resolve()));
process.stdout.write(`redis-server on 127.0.0.1:${port}; limit ${LIMIT_PER_MINUTE} requests per minute, shared by ${PROCESSES} processes x ${THREADS_PER_PROCESS} threads\n`);

try {
  const participant = fileURLToPath(new URL('./participant.ts', import.meta.url));
  const name = `example-${Date.now()}`;
  const runs = Array.from({ length: PROCESSES }, (_, index) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', participant, String(port), name, String(LIMIT_PER_MINUTE), String(THREADS_PER_PROCESS), `process-${index + 1}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        process.stdout.write(chunk);
      });
      child.once('exit', (code) => (code === 0 ? resolve(Number(/total (\d+)/.exec(output)?.[1] ?? 0)) : reject(new Error(`participant exited with ${code}`))));
    }),
  );
  const totals = await Promise.all(runs);
  const admitted = totals.reduce((sum, count) => sum + count, 0);
  process.stdout.write(`admitted in all: ${admitted} of a limit of ${LIMIT_PER_MINUTE}${admitted === LIMIT_PER_MINUTE ? ' (exact)' : ' (MISMATCH)'}\n`);
  process.exitCode = admitted === LIMIT_PER_MINUTE ? 0 : 1;
} finally {
  redis.kill('SIGTERM');
  rmSync(directory, { recursive: true, force: true });
}
