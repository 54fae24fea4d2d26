import { readFileSync } from 'node:fs';
import { TollgateError } from '../errors.js';
import type { ModelEntry } from './model-info.js';

/** Where the bundled prices came from and when they were checked. */
export interface BundledModelDataInfo {
  /** What was checked, in which copy, and what was not. */
  readonly source: string;
  /** ISO date (YYYY-MM-DD) the data was checked. */
  readonly date: string;
}

interface BundledFile extends BundledModelDataInfo {
  readonly models: Record<string, Omit<ModelEntry, 'name'>>;
}

let bundled: BundledFile | undefined;

function loadBundledFile(): BundledFile {
  if (bundled !== undefined) return bundled;
  // `data/` sits next to `src/` and `dist/`, so the same relative URL works from both.
  const url = new URL('../../data/models.json', import.meta.url);
  try {
    bundled = JSON.parse(readFileSync(url, 'utf8')) as BundledFile;
  } catch (cause) {
    throw new TollgateError('ERR_INVALID_MODEL_DATA', 'Expected the bundled `data/models.json` to be readable JSON, got a read or parse failure.', {
      field: 'data/models.json',
      cause,
    });
  }
  return bundled;
}

/** The bundled model entries (`data/models.json`), read once per process. */
export function bundledModelEntries(): ModelEntry[] {
  const file = loadBundledFile();
  return Object.entries(file.models).map(([name, entry]) => ({ ...entry, name }));
}

/**
 * Where the bundled model prices came from and the date they were checked.
 *
 * @throws TollgateError `ERR_INVALID_MODEL_DATA` when `data/models.json` cannot be read.
 */
export function getBundledModelDataInfo(): BundledModelDataInfo {
  const { source, date } = loadBundledFile();
  return { source, date };
}
