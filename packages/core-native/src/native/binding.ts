import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The functions the Rust binding (`crates/tollgate-node`) exports; encodings are integer handles. */
export interface NativeBinding {
  warmUp(handle: number): number;
  countTokens(handle: number, text: string, mask: number): number;
  countTokensUpTo(handle: number, text: string, mask: number, limit: number): number;
  encode(handle: number, text: string, mask: number): Uint32Array;
  decodeBytes(handle: number, ids: Uint32Array): Buffer;
  countTokensMany(handle: number, texts: readonly string[], mask: number): Uint32Array;
  countTokensBatch(handle: number, texts: readonly string[], mask: number): Uint32Array;
  countTokensAsync(handle: number, text: string, mask: number, cancel: NativeCancelToken): Promise<Uint32Array>;
  encodeAsync(handle: number, text: string, mask: number, cancel: NativeCancelToken): Promise<Uint32Array>;
  countTokensBatchAsync(
    handle: number,
    texts: readonly string[],
    mask: number,
    cancel: NativeCancelToken,
  ): Promise<Uint32Array>;
  countStagedAsync(handle: number, staged: NativeStagedText, mask: number, cancel: NativeCancelToken): Promise<Uint32Array>;
  encodeStagedAsync(handle: number, staged: NativeStagedText, mask: number, cancel: NativeCancelToken): Promise<Uint32Array>;
  parallelism(): number;
  CancelToken: new () => NativeCancelToken;
  StagedText: new () => NativeStagedText;
}

/** A long text handed to the native side part by part (see `stage-text.ts`). */
export interface NativeStagedText {
  append(part: string): void;
}

export interface NativeCancelToken {
  cancel(): void;
}

/** File name of the binary for this platform, as `scripts/build-native.mjs` writes it. */
export function nativeFileName(): string {
  const libc = process.platform === 'linux' ? (isMusl() ? '-musl' : '-gnu') : '';
  return `tollgate-core.${process.platform}-${process.arch}${libc}.node`;
}

function isMusl(): boolean {
  const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined;
}

/** Where the binary is looked for: `TOLLGATE_NATIVE_PATH`, else `native/` in this package. */
export function nativePath(): string {
  const override = process.env['TOLLGATE_NATIVE_PATH'];
  if (override !== undefined && override !== '') return override;
  return fileURLToPath(new URL(`../../native/${nativeFileName()}`, import.meta.url));
}

/** Loads the binary, or returns why it could not be loaded. */
export function loadNativeBinding(): NativeBinding | Error {
  const path = nativePath();
  if (!existsSync(path)) return new Error(`no native binary at ${path}`);
  try {
    return createRequire(import.meta.url)(path) as NativeBinding;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
