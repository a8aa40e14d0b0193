import { open, stat, type FileHandle } from 'node:fs/promises';
import { StoreDamageError } from '../errors/store-damage-error.js';
import type { BatchResult } from '../models/batch-result.js';
import { isNotFound } from './is-not-found.js';
import { isResultShaped } from './is-result-shaped.js';
import { privateFileMode } from './private-file-modes.js';
import { readTextLines } from './read-text-lines.js';

// The results journal: one JSON result per line, append only. Only its last line may be torn (a
// process died mid-append, or a writer is appending right now): the first append of a process cuts
// a torn tail off, and a reader skips one, so a bad line anywhere else is damage, reported, never dropped.

interface NumberedLine {
  text: string;
  number: number;
  torn: boolean;
}

/**
 * The results of the journal at `path` (of job `jobId`), in append order; none when there is no
 * journal. A torn last line is skipped: that item has no terminal result, and runs again. Any other
 * line that is not a result throws a `StoreDamageError` naming the line.
 */
export async function* readJournal(jobId: string, path: string): AsyncGenerator<BatchResult> {
  // One line of lookahead: only the last line may be torn.
  let previous: NumberedLine | undefined;
  const parse = (line: NumberedLine): BatchResult => {
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      throw new StoreDamageError(jobId, path, `not a JSON result: ${excerpt(line.text)}`, { line: line.number });
    }
    if (!isResultShaped(value)) {
      throw new StoreDamageError(jobId, path, `not a result (an "id" and a known "status" are required): ${excerpt(line.text)}`, {
        line: line.number,
      });
    }
    return value;
  };
  const extent = await journalExtent(path);
  if (extent === undefined) return;
  // Read no further than the size seen: an append made meanwhile is for the next read. The lines
  // come in batches, parsed here without an object or a generator step per line.
  let number = 0;
  for await (const lines of readTextLines(path, extent.size)) {
    for (const text of lines) {
      number++;
      if (previous !== undefined) yield parse(previous);
      previous = text.trim() === '' ? undefined : { text, number, torn: false };
    }
  }
  if (previous !== undefined) previous.torn = !extent.endsWithNewline;
  if (previous === undefined) return;
  let last: BatchResult | undefined;
  try {
    last = parse(previous);
  } catch (error) {
    // Torn: no terminal result for that item, which runs again.
    if (!previous.torn) throw error;
  }
  if (last !== undefined) yield last;
}

/**
 * Serialises appends to one journal and coalesces those that arrive while a write is under way
 * into the next write, so many workers finishing at once cost one system call, not one each.
 * The file is open only while appends are waiting: opened for the first, kept for those that
 * arrive while it is written, closed once none is left (an open and a close per write were a
 * tenth of a large emulated run's CPU). No descriptor outlives the appends.
 */
export class JournalAppender {
  private pending = '';
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private writing = false;
  private checkedTail = false;

  constructor(private readonly path: string) {}

  /** Appends `text` (whole lines); resolves once it is written to the file. */
  append(text: string): Promise<void> {
    this.pending += text;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    let handle: FileHandle | undefined;
    try {
      while (this.pending !== '') {
        const text = this.pending;
        const waiters = this.waiters;
        this.pending = '';
        this.waiters = [];
        try {
          handle ??= await this.open();
          await handle.appendFile(text);
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of waiters) waiter.reject(error);
          // The next appends start again from a fresh descriptor.
          const failed = handle;
          handle = undefined;
          await failed?.close().catch(() => undefined);
        }
      }
    } finally {
      // Nothing is waiting: the descriptor is closed, then an append made meanwhile starts again.
      await handle?.close().catch(() => undefined);
      this.writing = false;
      if (this.pending !== '') void this.drain();
    }
  }

  private async open(): Promise<FileHandle> {
    const handle = await open(this.path, 'a+', privateFileMode);
    if (!this.checkedTail) {
      try {
        // A previous process may have died mid-line: cut that torn line off, so that a bad line
        // can only ever be the last one, and any other is damage worth reporting.
        await cutTornTail(handle);
      } catch (error) {
        await handle.close();
        throw error;
      }
      this.checkedTail = true;
    }
    return handle;
  }
}

/** The journal's size and whether it ends with a newline; undefined when there is none or it is empty. */
async function journalExtent(path: string): Promise<{ size: number; endsWithNewline: boolean } | undefined> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  if (size === 0) return undefined;
  const handle = await open(path, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return { size, endsWithNewline: last[0] === 0x0a };
  } finally {
    await handle.close();
  }
}

/** Truncates the file after its last newline, if anything follows it. */
async function cutTornTail(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (first && newline === bytesRead - 1) return;
    first = false;
    if (newline >= 0) {
      await handle.truncate(start + newline + 1);
      return;
    }
    end = start;
  }
  await handle.truncate(0);
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
