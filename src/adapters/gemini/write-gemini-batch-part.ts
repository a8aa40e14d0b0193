import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchRequest } from '../../models/batch-request.js';
import type { GeminiGenerateContentRequest } from './gemini-request.js';

/** A part built for upload: its requests inline (small parts), or a JSONL file on disk (large ones). */
export type GeminiBatchPart =
  | { readonly kind: 'inline'; readonly requests: ReadonlyArray<{ key: string; request: GeminiGenerateContentRequest }>; readonly bytes: number }
  | { readonly kind: 'file'; readonly path: string; readonly bytes: number; readonly lines: number; remove(): Promise<void> };

/**
 * Reads a part's requests once: keeps them in memory while their lines total less than
 * `inlineMaxBytes`, and from the first line that would pass it writes every line
 * (`{"key": id, "request": GenerateContentRequest}`) to a temporary JSONL file instead, so that a
 * 2 GB part never sits in memory. Stops at the signal and removes a partial file.
 */
export async function writeGeminiBatchPart(
  requests: AsyncIterable<BatchRequest>,
  toRequest: (request: BatchRequest) => GeminiGenerateContentRequest,
  options: { inlineMaxBytes: number; signal?: AbortSignal; directory?: string },
): Promise<GeminiBatchPart> {
  let inline: Array<{ key: string; request: GeminiGenerateContentRequest }> | undefined = [];
  let pending: string[] = [];
  let bytes = 0;
  let lines = 0;
  let stream: WriteStream | undefined;
  const path = join(options.directory ?? tmpdir(), `llm-batch-gemini-${randomUUID()}.jsonl`);
  const remove = () => rm(path, { force: true });
  try {
    for await (const request of requests) {
      options.signal?.throwIfAborted();
      const entry = { key: request.id, request: toRequest(request) };
      const line = `${JSON.stringify(entry)}\n`;
      bytes += Buffer.byteLength(line);
      lines += 1;
      if (inline !== undefined && bytes < options.inlineMaxBytes) {
        inline.push(entry);
        pending.push(line);
        continue;
      }
      if (stream === undefined) {
        // Past the inline limit: what was kept in memory goes to the file first.
        stream = createWriteStream(path, { flags: 'wx' });
        inline = undefined;
        for (const earlier of pending) await write(stream, earlier, options.signal);
        pending = [];
      }
      await write(stream, line, options.signal);
    }
    if (stream === undefined) return { kind: 'inline', requests: inline ?? [], bytes };
    stream.end();
    await once(stream, 'finish');
  } catch (error) {
    stream?.destroy();
    await remove();
    throw error;
  }
  return { kind: 'file', path, bytes, lines, remove };
}

async function write(stream: WriteStream, line: string, signal: AbortSignal | undefined): Promise<void> {
  if (!stream.write(line)) await once(stream, 'drain', signal ? { signal } : {});
}
