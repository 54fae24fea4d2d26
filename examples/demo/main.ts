// `npm run demo [-- files or folders...]`: the command line around runDemo.
import { parseArgs } from 'node:util';
import { DemoError } from './errors.js';
import { runDemo } from './run-demo.js';

const USAGE = `Usage: npm run demo -- [options] [file or folder ...]

Starts local OpenAI-compatible servers, sends one "summarise this" chat request per few KB of text
through the official openai client wrapped by wrapOpenAI, and checks tollgate's local prompt token
counts against the usage the servers report. Without paths it reads examples/corpus.

Options:
  --concurrency <n>    most requests in flight (default 8)
  --max-requests <n>   most requests sent (default 1000)
  -h, --help           show this help
`;

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new DemoError(
      `Expected \`--${name}\` to be a positive integer, got ${JSON.stringify(value)}.`,
    );
  return number;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      concurrency: { type: 'string' },
      'max-requests': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }

  const controller = new AbortController();
  let interruptedAt = 0;
  const interrupt = () => {
    // tsx resends a signal it does not see this process acknowledge within 30 ms; only a second
    // Ctrl-C a moment later means "stop now, without closing cleanly".
    if (controller.signal.aborted) {
      if (Date.now() - interruptedAt > 1_000) process.exit(130);
      return;
    }
    interruptedAt = Date.now();
    process.stderr.write('\nInterrupted; stopping the requests and closing the servers...\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  try {
    const result = await runDemo({
      paths: positionals,
      // `npm run` starts scripts in the repository root; paths are meant from where it was typed.
      baseDir: process.env.INIT_CWD ?? process.cwd(),
      concurrency: positiveInteger('concurrency', values.concurrency),
      maxRequests: positiveInteger('max-requests', values['max-requests']),
      signal: controller.signal,
    });
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

function fail(error: unknown): number {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (
    error instanceof DemoError ||
    (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    return error instanceof DemoError && error.message.startsWith('Interrupted') ? 130 : 1;
  }
  process.stderr.write(
    `demo: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  return 1;
}

const exitCode = await main().catch(fail);
process.exitCode = exitCode;
// Everything is closed by now; this only guards against a stray handle keeping the process alive.
setTimeout(() => process.exit(exitCode), 2_000).unref();
