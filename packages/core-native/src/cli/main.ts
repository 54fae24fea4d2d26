#!/usr/bin/env node
// `tollgate count <files…> --model <m>`: tokens and input cost per file. A command-line program,
// so it writes to stdout/stderr directly.
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { countTokensBatchAsync, estimateCost, findModelInfo, getBackend, getEncodingNameForModel, type EncodingName } from '../index.js';
import { formatTable } from './format-table.js';

const USAGE = `Usage: tollgate count <files…> [--model <model>] [--json]

Counts the tokens of each file exactly as the model's tokenizer would (tiktoken encodings,
bundled; nothing is downloaded) and prices them as prompt input.

Options:
  -m, --model <model>  model whose tokenizer and prices to use (default: gpt-4o)
  -e, --encoding <e>   count with this encoding (o200k_base, cl100k_base, p50k_base, r50k_base)
                       when the model is not in the registry
      --json           print JSON instead of a table
  -h, --help           show this help
`;

interface FileCount {
  readonly file: string;
  readonly bytes: number;
  readonly tokens: number;
  readonly inputCostUsd: number | null;
}

const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Reads a regular file as UTF-8; errors name the file. */
async function readText(file: string): Promise<string> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${JSON.stringify(file)}: ${error.code ?? error.message}`);
  });
  if (!info.isFile()) throw new Error(`${JSON.stringify(file)} is not a regular file`);
  if (info.size > MAX_FILE_BYTES) throw new Error(`${JSON.stringify(file)} is larger than 256 MB`);
  return readFile(file, 'utf8');
}

async function countFiles(files: string[], model: string, encoding: string | undefined): Promise<FileCount[]> {
  const texts = await Promise.all(files.map(readText));
  const options = encoding === undefined ? { model } : { model, defaultEncoding: encoding as EncodingName };
  const counts = await countTokensBatchAsync(texts, options);
  const priced = findModelInfo(model)?.prices !== undefined;
  return files.map((file, i) => {
    const tokens = counts[i]!;
    const cost = priced ? estimateCost({ model, usage: { prompt_tokens: tokens, completion_tokens: 0 } }).totalUsd : null;
    return { file, bytes: Buffer.byteLength(texts[i]!), tokens, inputCostUsd: cost };
  });
}

function render(rows: FileCount[], model: string, encoding: string | undefined): string {
  const money = (usd: number | null) => (usd === null ? 'n/a' : `$${usd.toFixed(6)}`);
  const total = rows.reduce((sum, row) => ({ tokens: sum.tokens + row.tokens, bytes: sum.bytes + row.bytes, cost: sum.cost + (row.inputCostUsd ?? 0) }), { tokens: 0, bytes: 0, cost: 0 });
  const body = rows.map((row) => [row.file, String(row.bytes), String(row.tokens), money(row.inputCostUsd)]);
  const footer = ['total', String(total.bytes), String(total.tokens), money(rows.some((r) => r.inputCostUsd === null) ? null : total.cost)];
  const resolved = encoding === undefined ? getEncodingNameForModel(model) : getEncodingNameForModel(model, { defaultEncoding: encoding as EncodingName });
  const title = `model ${model} · encoding ${resolved} · backend ${getBackend()}`;
  return `${title}\n${formatTable(['file', 'bytes', 'tokens', 'input cost'], [...body, footer])}\n`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm', default: 'gpt-4o' },
      encoding: { type: 'string', short: 'e' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...files] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  if (command !== 'count' || files.length === 0) {
    process.stderr.write(`tollgate: expected \`count <files…>\`, got ${JSON.stringify(positionals.join(' '))}\n\n${USAGE}`);
    return 2;
  }
  const model = values.model!;
  const rows = await countFiles(files, model, values.encoding);
  process.stdout.write(values.json ? `${JSON.stringify({ model, rows }, null, 2)}\n` : render(rows, model, values.encoding));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? ` [${String(error.code)}]` : '';
    process.stderr.write(`tollgate: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    process.exitCode = 1;
  },
);
