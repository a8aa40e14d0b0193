import { stat, type FileHandle } from 'node:fs/promises';
import type { RequestWriter, StoredRequest } from './batch-store.js';
import { isNotFound } from './is-not-found.js';
import { readTextLines } from './read-text-lines.js';

// A requests file: the normalized requests of one part, one JSON record a line, in input order.

const requestWriteBufferBytes = 1 << 20;

/** Writes a requests file through `handle` in large appends; `close` syncs it to disk and closes it. */
export class BufferedRequestWriter implements RequestWriter {
  private buffer = '';

  constructor(private readonly handle: FileHandle) {}

  // Not async: a write that only buffers returns nothing to wait for (no promise per request).
  write(record: StoredRequest): void | Promise<void> {
    this.buffer += `${JSON.stringify(record)}\n`;
    if (this.buffer.length >= requestWriteBufferBytes) return this.flush();
  }

  writeJson(index: number, requestJson: string): void | Promise<void> {
    this.buffer += `{"index":${index},"request":${requestJson}}\n`;
    if (this.buffer.length >= requestWriteBufferBytes) return this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    await this.handle.appendFile(text);
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
