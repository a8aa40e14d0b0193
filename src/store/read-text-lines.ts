import { open } from 'node:fs/promises';

// The lines of a text file, read in large chunks and split with indexOf: the store's files are read
// back whole (requests for a run, the journal for results), and readline's per-line events and its
// line-break regular expression were the largest part of reading them. Each chunk is cut
// at its last newline byte (a newline byte is never inside a UTF-8 character) and decoded by
// `Buffer#toString`: a `TextDecoder` in streaming mode, plus the text carried over from the chunk
// before, cost a third more CPU and about 30 MB more peak memory over a million-line journal.

const chunkBytes = 1 << 20;
const pieceBytes = 1 << 16;

/**
 * The lines of the file at `path` (UTF-8), in batches: every line that ends with a newline, then
 * the last one (which may have none). Reads no further than `end` bytes when given. The file must
 * exist (the caller checks, to tell "no file" from an error).
 */
export async function* readTextLines(path: string, end?: number): AsyncGenerator<string[]> {
  const handle = await open(path, 'r');
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
  // The bytes of a line not ended yet (longer than what the chunks so far held of it), copied.
  let carried: Buffer[] = [];
  // A byte order mark at the start of the file is dropped, as a TextDecoder does.
  let atStart = true;
  const decode = (bytes: Buffer): string => {
    const text = bytes.toString('utf8');
    if (!atStart) return text;
    atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  try {
    for (;;) {
      const bytesRead = await pending;
      if (bytesRead === 0) break;
      const current = buffers[which]!;
      position += bytesRead;
      which = 1 - which;
      pending = readNext(buffers[which]!);
      const lastNewline = current.lastIndexOf(10, bytesRead - 1);
      if (lastNewline === -1) {
        carried.push(Buffer.from(current.subarray(0, bytesRead)));
        continue;
      }
      // Decoded in pieces of about 64 KiB cut at newlines: a string over 128 KiB would go straight
      // to V8's old generation, which only a full collection frees, and a million-line journal
      // piled up more than 100 MB of them between two. Each piece's lines are yielded at once, so the
// caller is through them (and they are garbage) before they would outlive a young collection.
      for (let offset = 0; offset <= lastNewline; ) {
        let end = current.lastIndexOf(10, Math.min(offset + pieceBytes, lastNewline + 1) - 1);
        if (end < offset) end = current.indexOf(10, offset + pieceBytes);
        const piece = current.subarray(offset, end + 1);
        const text = decode(carried.length === 0 ? piece : Buffer.concat([...carried, piece]));
        carried = [];
        const lines: string[] = [];
        let start = 0;
        for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
          lines.push(text.slice(start, newline));
          start = newline + 1;
        }
        offset = end + 1;
        // The current buffer stays as it is meanwhile: the read under way fills the other one.
        yield lines;
      }
      if (lastNewline + 1 < bytesRead) carried = [Buffer.from(current.subarray(lastNewline + 1, bytesRead))];
    }
    if (carried.length > 0) yield [decode(Buffer.concat(carried))];
  } finally {
    // A caller that stopped early may leave a read under way: it ends before the file is closed.
    await pending.catch(() => 0);
    await handle.close();
  }
}
