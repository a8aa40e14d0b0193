import { open } from 'node:fs/promises';

// The lines of a text file, read in large chunks and split with indexOf: the store's files are read
// back whole (requests for a run, the journal for results), and readline's per-line events and its
// line-break regular expression were the largest part of reading them (issue 17).

const chunkBytes = 1 << 20;

/**
 * The lines of the file at `path` (UTF-8), in batches: every line that ends with a newline, then
 * the last one (which may have none). Reads no further than `end` bytes when given. The file must
 * exist (the caller checks, to tell "no file" from an error).
 */
export async function* readTextLines(path: string, end?: number): AsyncGenerator<string[]> {
  const handle = await open(path, 'r');
  const decoder = new TextDecoder('utf-8');
  // Two buffers: the next chunk is read from disk while the caller works through this one's lines.
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)] as const;
  let which = 0;
  let position = 0;
  const readNext = (buffer: Buffer): Promise<number> => {
    const wanted = end === undefined ? chunkBytes : Math.min(chunkBytes, end - position);
    if (wanted <= 0) return Promise.resolve(0);
    return handle.read(buffer, 0, wanted, position).then(({ bytesRead }) => bytesRead);
  };
  let pending = readNext(buffers[0]);
  let rest = '';
  try {
    for (;;) {
      const bytesRead = await pending;
      if (bytesRead === 0) break;
      const current = buffers[which]!;
      position += bytesRead;
      which = 1 - which;
      pending = readNext(buffers[which]!);
      const text = rest + decoder.decode(current.subarray(0, bytesRead), { stream: true });
      const lines: string[] = [];
      let start = 0;
      for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
        lines.push(text.slice(start, newline));
        start = newline + 1;
      }
      rest = start === 0 ? text : text.slice(start);
      if (lines.length > 0) yield lines;
    }
    rest += decoder.decode();
    if (rest !== '') yield [rest];
  } finally {
    // A caller that stopped early may leave a read under way: it ends before the file is closed.
    await pending.catch(() => 0);
    await handle.close();
  }
}
