// Finds and reads the texts the demo sends: the bundled corpus, or the user's files and folders.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoError } from './errors.js';

/** The bundled corpus: `examples/corpus/<language>/<name>.txt`. */
export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

/** Files larger than this are skipped, in bytes. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const LICENCE_FOLDER = 'LICENSES';
const IGNORED_DIRECTORIES = new Set(['node_modules', 'dist', 'target', 'build', 'coverage']);

/** One readable text file. */
export interface TextDocument {
  /** Path relative to the corpus folder or to the folder the demo was started in. */
  readonly name: string;
  /** Corpus language (its folder) for the bundled corpus, the file extension for user files. */
  readonly group: string;
  readonly text: string;
  /** Size of the file in bytes. */
  readonly bytes: number;
}

/** A file that was not used, and why (binary, not UTF-8, empty, too large, unreadable). */
export interface SkippedFile {
  readonly name: string;
  readonly reason: string;
}

/** What {@link loadTexts} found. */
export interface LoadedTexts {
  readonly source: 'corpus' | 'paths';
  readonly documents: readonly TextDocument[];
  readonly skipped: readonly SkippedFile[];
  /** What `group` means: `languages` for the corpus, `file types` for user files. */
  readonly groupLabel: string;
}

/** Reads `path` as UTF-8 text, or says why it is not text. */
async function readText(path: string): Promise<{ text: string } | { reason: string }> {
  let buffer: Buffer;
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) return { reason: `larger than ${MAX_FILE_BYTES} bytes` };
    buffer = await readFile(path);
  } catch (error) {
    return { reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (buffer.subarray(0, 8192).includes(0)) return { reason: 'binary' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
  } catch {
    return { reason: 'not UTF-8 text' };
  }
  if (text.trim().length === 0) return { reason: 'empty' };
  return { text };
}

/** Every file under `directory`, sorted, skipping dot-files and build or dependency folders. */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory() && !IGNORED_DIRECTORIES.has(entry.name))
      files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** The files a user's path argument names: the file itself, or every file under a folder. */
async function expandPath(path: string, shown: string): Promise<string[]> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return await listFiles(path);
    if (info.isFile()) return [path];
    throw new DemoError(`Expected "${shown}" to be a file or a folder, got something else.`);
  } catch (error) {
    if (error instanceof DemoError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or folder' : `cannot read it (${code})`;
    throw new DemoError(`Expected "${shown}" to be a readable file or folder, but ${why}.`);
  }
}

async function loadCorpus(): Promise<LoadedTexts> {
  let files: string[];
  try {
    files = await listFiles(DEFAULT_CORPUS_DIR);
  } catch {
    throw new DemoError(
      `The bundled corpus was not found at ${DEFAULT_CORPUS_DIR}; pass your own files or folders instead, e.g. \`npm run demo -- README.md packages\`.`,
    );
  }
  const documents: TextDocument[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const name = relative(DEFAULT_CORPUS_DIR, file).split(sep).join('/');
    // Files directly in the corpus folder (SOURCES.md, build-corpus.sh) and the licence texts
    // describe the corpus; they are not sent.
    if (!name.includes('/') || name.startsWith(`${LICENCE_FOLDER}/`)) continue;
    const read = await readText(file);
    if ('reason' in read) skipped.push({ name, reason: read.reason });
    else {
      const group = name.slice(0, name.indexOf('/'));
      documents.push({ name, group, text: read.text, bytes: Buffer.byteLength(read.text) });
    }
  }
  return { source: 'corpus', documents, skipped, groupLabel: 'languages' };
}

async function loadPaths(paths: readonly string[], baseDir: string): Promise<LoadedTexts> {
  const documents: TextDocument[] = [];
  const skipped: SkippedFile[] = [];
  const seen = new Set<string>();
  for (const argument of paths) {
    for (const file of await expandPath(resolve(baseDir, argument), argument)) {
      if (seen.has(file)) continue;
      seen.add(file);
      const shown = relative(baseDir, file) || basename(file);
      const name = shown.startsWith('..') ? file : shown.split(sep).join('/');
      const read = await readText(file);
      if ('reason' in read) skipped.push({ name, reason: read.reason });
      else {
        const group = extname(file).slice(1).toLowerCase() || '(no extension)';
        documents.push({ name, group, text: read.text, bytes: Buffer.byteLength(read.text) });
      }
    }
  }
  return { source: 'paths', documents, skipped, groupLabel: 'file types' };
}

/**
 * Loads the demo's texts: with no `paths`, every file under `examples/corpus/<language>/` (not
 * `LICENSES/` nor the files beside the language folders); else
 * the named files and every file under the named folders (dot-files, `node_modules`, `dist`,
 * `target`, `build` and `coverage` are left out). Binary, non-UTF-8, empty and over-large files
 * are skipped and listed in `skipped`.
 *
 * @param baseDir folder relative paths are resolved against. @default process.cwd()
 * @throws DemoError when a path does not exist or cannot be read, when the corpus is missing, or
 *   when no file holds text.
 */
export async function loadTexts(
  paths: readonly string[],
  baseDir: string = process.cwd(),
): Promise<LoadedTexts> {
  const loaded = paths.length === 0 ? await loadCorpus() : await loadPaths(paths, baseDir);
  if (loaded.documents.length === 0) {
    const where = loaded.source === 'corpus' ? DEFAULT_CORPUS_DIR : paths.join(', ');
    const skipped = loaded.skipped.map((file) => `${file.name} (${file.reason})`).slice(0, 3);
    const note = skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : '';
    throw new DemoError(`Expected UTF-8 text files in ${where}, found none${note}.`);
  }
  return loaded;
}
