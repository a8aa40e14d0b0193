import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchRequest } from '../../models/batch-request.js';

/** A batch input file written to disk, to be uploaded and then removed. */
export interface OpenAIBatchFile {
  readonly path: string;
  readonly bytes: number;
  readonly lines: number;
  remove(): Promise<void>;
}

/**
 * Writes the JSONL input file of a part to a temporary file, one line per request, so that a
 * 200 MB part never exists as one string or buffer in memory. Stops at the signal and removes the
 * partial file.
 */
export async function writeOpenAIBatchFile(
  requests: AsyncIterable<BatchRequest>,
  toLine: (request: BatchRequest) => string,
  options: { signal?: AbortSignal; directory?: string } = {},
): Promise<OpenAIBatchFile> {
  const path = join(options.directory ?? tmpdir(), `llm-batch-${randomUUID()}.jsonl`);
  const remove = () => rm(path, { force: true });
  const stream = createWriteStream(path, { flags: 'wx' });
  let bytes = 0;
  let lines = 0;
  try {
    for await (const request of requests) {
      options.signal?.throwIfAborted();
      const line = `${toLine(request)}\n`;
      bytes += Buffer.byteLength(line);
      lines += 1;
      if (!stream.write(line)) await once(stream, 'drain', options.signal ? { signal: options.signal } : {});
    }
    stream.end();
    await once(stream, 'finish');
  } catch (error) {
    stream.destroy();
    await remove();
    throw error;
  }
  return { path, bytes, lines, remove };
}
