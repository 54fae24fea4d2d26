import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitIntoChunks } from '../demo/chunks.js';
import { DEFAULT_CORPUS_DIR, loadTexts } from '../demo/corpus.js';
import { DemoError } from '../demo/errors.js';
import { runDemo } from '../demo/run-demo.js';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-3.5-turbo', 'gpt-4'];

/** A writable that keeps what it gets; `isTTY` false, as for a pipe. */
function sink() {
  const sink = { text: '', isTTY: false, write: (chunk: string) => (sink.text += chunk) };
  return sink;
}

/** The first corpus file of each of three language folders, as absolute paths. */
async function threeCorpusFiles(): Promise<string[]> {
  const folders = ['de', 'ja', 'python'];
  return Promise.all(
    folders.map(async (folder) => {
      const names = (await readdir(join(DEFAULT_CORPUS_DIR, folder))).sort();
      return join(DEFAULT_CORPUS_DIR, folder, names[0] as string);
    }),
  );
}

/** Base URLs the demo printed before sending; each must refuse connections once it is over. */
function serverUrls(report: string): string[] {
  return [...report.matchAll(/http:\/\/127\.0\.0\.1:\d+\/v1/g)].map((match) => match[0]);
}

async function expectClosed(url: string): Promise<void> {
  await expect(fetch(`${url}/models`)).rejects.toThrow();
}

describe('demo on three corpus files', () => {
  const out = sink();
  const err = sink();
  let result: Awaited<ReturnType<typeof runDemo>>;

  beforeAll(async () => {
    result = await runDemo({ paths: await threeCorpusFiles(), out, err, concurrency: 4 });
  });

  it('counts every model’s prompt tokens locally exactly as the server reports them', () => {
    expect(result.summary.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary.rows.map((row) => row.model)).toEqual(MODELS);
    for (const row of result.summary.rows) {
      expect(row.promptTokensCounted).toBeGreaterThan(0);
      expect(row.promptTokensCounted).toBe(row.promptTokensReported);
      expect(row.failed).toBe(0);
    }
    const total = result.summary.total;
    expect(total.promptTokensCounted).toBe(total.promptTokensReported);
    expect(total.streamed).toBeGreaterThan(0);
    expect(total.streamed).toBeLessThan(total.requests);
  });

  it('prints the table with one row per model, a total row and the run numbers', () => {
    expect(out.text).toContain(result.report);
    expect(result.report).toMatch(
      /^model\s+requests\s+streamed\s+prompt \(local\)\s+prompt \(server\)/m,
    );
    for (const model of [...MODELS, 'total']) {
      expect(result.report).toMatch(
        new RegExp(
          `^${model.replace(/\./g, '\\.')}\\s+\\d+\\s+\\d+\\s+[\\d,]+\\s+[\\d,]+\\s+yes\\s`,
          'm',
        ),
      );
    }
    expect(result.report).toMatch(/requests\/s/);
    expect(result.report).toMatch(
      /MB\/s \(countChatTokens, best of 3 passes, (native|fallback) backend\)/,
    );
    expect(result.report).toMatch(/3 files, \d+ chunks; file types \(1\): txt/);
    expect(result.report).toContain('OK: for every one of the');
  });

  it('writes plain progress lines, without control characters, when stderr is not a terminal', () => {
    expect(err.text).toMatch(/^progress: \d+\/\d+ requests \(100%\)/m);
    expect(err.text).not.toContain('\x1b');
  });

  it('closes its servers', async () => {
    const urls = serverUrls(out.text);
    expect(urls).toHaveLength(2);
    for (const url of urls) await expectClosed(url);
  });
});

describe('demo on user files', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tollgate-demo-'));
    const paragraph = 'Tokens are counted before the request leaves the process. '.repeat(20);
    await writeFile(join(folder, 'notes.md'), `${paragraph}\n\n${paragraph}\n`);
    await writeFile(join(folder, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
    await writeFile(join(folder, 'latin1.txt'), Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('skips binary and non-UTF-8 files and names them in the report', async () => {
    const out = sink();
    const result = await runDemo({ paths: [folder], out, err: sink() });
    expect(result.ok).toBe(true);
    expect(result.summary.total.requests).toBe(1);
    expect(result.report).toMatch(
      /skipped\s+2 files: .*image\.png \(binary\), .*latin1\.txt \(not UTF-8 text\)/,
    );
    expect(result.report).toMatch(/file types \(1\): md/);
  });

  it('rejects a missing path with a DemoError naming it', async () => {
    const run = runDemo({ paths: ['no/such/file.txt'], baseDir: folder, out: sink(), err: sink() });
    await expect(run).rejects.toBeInstanceOf(DemoError);
    await expect(run).rejects.toThrow(
      'Expected "no/such/file.txt" to be a readable file or folder, but no such file or folder.',
    );
  });

  it('stops when its signal is aborted, and closes its servers', async () => {
    const controller = new AbortController();
    const out = sink();
    const err = {
      isTTY: false,
      write: (text: string) => {
        if (text.startsWith('progress:')) controller.abort();
      },
    };
    const run = runDemo({ paths: await threeCorpusFiles(), out, err, signal: controller.signal });
    await expect(run).rejects.toThrow(/^Interrupted after \d+ of \d+ requests\.$/);
    for (const url of serverUrls(out.text)) await expectClosed(url);
  });
});

describe('demo against a server that counts differently', () => {
  it('reports the mismatch per model and per request, and is not ok', async () => {
    const out = sink();
    const result = await runDemo({
      paths: await threeCorpusFiles(),
      out,
      err: sink(),
      serverOverrides: { 'gpt-4o': { encoding: 'cl100k_base' } },
    });
    expect(result.ok).toBe(false);
    expect(result.report).toMatch(/^gpt-4o\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+\s+NO\s/m);
    expect(result.report).toMatch(/^gpt-4o-mini\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+\s+yes\s/m);
    expect(result.report).toMatch(/^FAILED: /m);
    expect(result.summary.problems[0]).toMatch(
      /^Mismatch for gpt-4o: [\d]+ prompt tokens counted locally, [\d]+ reported by the server\.$/,
    );
    expect(result.summary.problems).toContainEqual(
      expect.stringMatching(
        /^Request #0 \(gpt-4o, streamed, .*: counted \d+ prompt tokens locally, the server reported \d+\.$/,
      ),
    );
  });
});

describe('chunks', () => {
  it('keep every non-blank character of the corpus, in order, within 3500 bytes each', async () => {
    const { documents } = await loadTexts([]);
    expect(documents.length).toBeGreaterThan(10);
    for (const document of documents) {
      const chunks = splitIntoChunks(document.text);
      for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(3500);
      expect(chunks.join('').replace(/\s+/g, '')).toBe(document.text.replace(/\s+/g, ''));
    }
  });
});
