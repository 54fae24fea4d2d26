import { Transform, type TransformCallback } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw, type ZlibOptions } from 'node:zlib';

/** Most codings one `Content-Encoding` may list (more is refused, as `fetch` refuses it). */
const MAX_CODINGS = 5;

/** Lenient, as `fetch` decodes: a truncated body gives what decodes instead of an error. */
const LENIENT: ZlibOptions = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };

/**
 * `deflate` as servers send it: a zlib stream, or (often, against the standard) raw deflate. The
 * first byte tells which (a zlib header's low four bits are 8).
 */
class InflateEither extends Transform {
  #inner: Transform | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (chunk.length === 0) {
      done();
      return;
    }
    if (this.#inner === undefined) {
      const inner = (chunk[0]! & 0x0f) === 0x08 ? createInflate(LENIENT) : createInflateRaw(LENIENT);
      inner.on('data', (bytes: Buffer) => this.push(bytes));
      inner.on('error', (error) => this.destroy(error));
      this.#inner = inner;
    }
    this.#inner.write(chunk, done);
  }

  override _flush(done: TransformCallback): void {
    const inner = this.#inner;
    if (inner === undefined) {
      done();
      return;
    }
    inner.once('end', () => done());
    inner.end();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.#inner?.destroy();
    done(error);
  }
}

function decoderOf(coding: string): Transform | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip(LENIENT);
    case 'deflate':
      return new InflateEither();
    case 'br':
      return createBrotliDecompress({ flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH });
    default:
      return undefined;
  }
}

/**
 * The decoders a body with this `Content-Encoding` goes through, in order (the last coding
 * listed is undone first). None when there is no coding or one is unknown: the body then passes
 * as sent, as `fetch` passes it. Throws when more than {@link MAX_CODINGS} are listed.
 */
export function decodersFor(contentEncoding: string | null): Transform[] {
  if (contentEncoding === null || contentEncoding === '') return [];
  const codings = contentEncoding.toLowerCase().split(',');
  if (codings.length > MAX_CODINGS) throw new Error(`too many content-encodings in response: ${codings.length}, maximum allowed is ${MAX_CODINGS}`);
  const decoders: Transform[] = [];
  for (let index = codings.length - 1; index >= 0; index -= 1) {
    const coding = codings[index]!.trim();
    const decoder = decoderOf(coding);
    if (decoder === undefined) {
      for (const made of decoders) made.destroy();
      return [];
    }
    decoders.push(decoder);
  }
  return decoders;
}
