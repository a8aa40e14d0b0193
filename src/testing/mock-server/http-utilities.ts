/**
 * Small HTTP helpers: reading bodies, sending JSON, streaming JSONL with backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads the whole request body; stops collecting (but keeps draining) past `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<{ data: Buffer; tooLarge: boolean; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve({ data: tooLarge ? Buffer.alloc(0) : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), tooLarge, size }));
    request.on('error', reject);
  });
}

/** Answers with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Writes one chunk and waits for the socket to drain when its buffer is full. */
function write(response: ServerResponse, chunk: string): Promise<void> | undefined {
  if (response.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/**
 * Streams lines as JSONL in chunks of about 64 KB so that a 50,000-line file is never joined into one
 * string. With `truncate`, stops halfway through the middle line, as a dropped download would.
 */
export async function streamLines(response: ServerResponse, lines: readonly string[], truncate: boolean): Promise<void> {
  const stopAt = truncate ? Math.floor(lines.length / 2) : lines.length;
  let buffer = '';
  for (let index = 0; index < stopAt; index += 1) {
    if (response.destroyed) return;
    buffer += `${lines[index]}\n`;
    if (buffer.length >= 65_536) {
      const pending = write(response, buffer);
      buffer = '';
      if (pending !== undefined) await pending;
    }
  }
  if (truncate) {
    const cut = lines[stopAt] ?? lines[stopAt - 1] ?? '{"custom_id":';
    buffer += cut.slice(0, Math.max(1, Math.floor(cut.length / 2)));
  }
  if (buffer !== '') {
    const pending = write(response, buffer);
    if (pending !== undefined) await pending;
  }
  response.end();
}

/** Byte size of lines joined as JSONL (each line followed by a newline). */
export function jsonlByteLength(lines: readonly string[]): number {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line) + 1;
  return bytes;
}
