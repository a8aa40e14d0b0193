import { stat, type FileHandle } from 'node:fs/promises';
import type { RequestWriter, StoredRequest } from './batch-store.js';
import { isNotFound } from './is-not-found.js';
import { readTextLines } from './read-text-lines.js';

// A requests file: the normalized requests of one part, one JSON record a line, in input order.

const requestWriteBufferBytes = 1 << 20;

/**
 * Writes a requests file through `handle` in large appends; `close` syncs it to disk and closes it.
 * Records are encoded straight into a 1 MiB buffer: a string of a megabyte built by `+=` is a
 * rope of thousands of pieces that the write must flatten and encode again, which cost more than
 * serializing the requests did.
 */
export class BufferedRequestWriter implements RequestWriter {
  private chunk: Buffer = Buffer.allocUnsafe(requestWriteBufferBytes);
  private used = 0;
  /** A written chunk to fill again, so that a large file takes two buffers, not one per megabyte. */
  private spare: Buffer | undefined;
  /** The appends under way, one after another: each starts when the one before it has ended. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly handle: FileHandle) {}

  // Not async: a write that only buffers returns nothing to wait for (no promise per request).
  write(record: StoredRequest): void | Promise<void> {
    return this.put('', `${JSON.stringify(record)}\n`, false);
  }

  writeJson(index: number, requestJson: string): void | Promise<void> {
    return this.put(`{"index":${index},"request":`, requestJson, true);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
    } catch (error) {
      // A write that failed (a full disk) leaves no descriptor open behind its error.
      await this.handle.close().catch(() => undefined);
      throw error;
    }
    await this.handle.close();
  }

  /** Writes what is buffered; resolves once it and every earlier write are in the file. */
  flush(): Promise<void> {
    if (this.used === 0) return this.writing;
    const full = this.chunk;
    const length = this.used;
    this.chunk = this.spare ?? Buffer.allocUnsafe(requestWriteBufferBytes);
    this.spare = undefined;
    this.used = 0;
    const written = this.writing.then(() => this.handle.appendFile(full.subarray(0, length)));
    this.writing = written.then(() => {
      if (full.length === requestWriteBufferBytes) this.spare = full;
    });
    return this.writing;
  }

  /** Buffers `prefix` (ASCII), `text` and, when `closeRecord`, `}` and a newline; flushes a full buffer. */
  private put(prefix: string, text: string, closeRecord: boolean): void | Promise<void> {
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    const most = prefix.length + text.length * 3 + 2;
    let flushed: Promise<void> | undefined;
    if (this.used + most > this.chunk.length) {
      flushed = this.flush();
      if (most > this.chunk.length) this.chunk = Buffer.allocUnsafe(most);
    }
    const chunk = this.chunk;
    let used = this.used;
    if (prefix !== '') used += chunk.write(prefix, used, 'latin1');
    used += chunk.write(text, used, 'utf8');
    if (closeRecord) {
      chunk[used++] = 0x7d;
      chunk[used++] = 0x0a;
    }
    this.used = used;
    return flushed;
  }
}

/** The records of the requests file at `path`, in order; none when there is no such file. */
export async function* readRequestFile(path: string): AsyncGenerator<StoredRequest> {
  try {
    await stat(path);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  for await (const lines of readTextLines(path)) {
    for (const line of lines) {
      if (line.trim() !== '') yield JSON.parse(line) as StoredRequest;
    }
  }
}
