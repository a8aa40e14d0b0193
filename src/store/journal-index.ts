import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StoreDamageError } from '../errors/store-damage-error.js';
import type { BatchResult } from '../models/batch-result.js';
import { isRunEventShaped, type RunEvent } from '../models/run-event.js';
import { isNotFound } from './is-not-found.js';
import { isResultShaped } from './is-result-shaped.js';

// Reading a journal from a place in it: the results from the n-th on through a sparse index (the
// viewer's deep pages), and the run events (`events.jsonl`, read whole).

/** A place in a journal: the byte a line starts at, and how many lines come before it. */
export interface JournalPlace {
  readonly byte: number;
  readonly line: number;
}

const journalStart: JournalPlace = { byte: 0, line: 0 };

/** Results between two entries of a {@link JournalIndex}. */
export const journalIndexStride = 256;

/**
 * A sparse index of one results journal: where every 256th result starts (4,000 entries for a million results). Built on first need by
 * scanning the file's bytes for newlines (no parsing), kept in memory, and extended from where it
 * stopped as the journal grows. Only whole lines are indexed: a torn tail is never an entry.
 */
export class JournalIndex {
  readonly #path: string;
  /** entries[k]: where the (k * stride)-th result starts. */
  readonly #entries: JournalPlace[] = [journalStart];
  /** The start of the first line not yet scanned to its newline, with its number. */
  #next: JournalPlace = journalStart;
  /** Results before `#next`. */
  #results = 0;
  #extending: Promise<void> | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  /** Results indexed so far (whole lines up to the last scan). */
  get indexedResults(): number {
    return this.#results;
  }

  /** Where to start reading to reach the `position`-th result, and how many results to skip from there. */
  async seek(position: number): Promise<{ place: JournalPlace; skip: number }> {
    const wanted = Math.floor(position / journalIndexStride);
    if (wanted >= this.#entries.length) {
      this.#extending ??= this.#extend().finally(() => (this.#extending = undefined));
      await this.#extending;
    }
    const entry = Math.min(wanted, this.#entries.length - 1);
    return { place: this.#entries[entry]!, skip: position - entry * journalIndexStride };
  }

  async #extend(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path, 'r');
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.#next.byte) {
        // Replaced by a shorter journal (the job was deleted and made again): start over.
        this.#entries.length = 1;
        this.#next = journalStart;
        this.#results = 0;
      }
      const chunk = Buffer.allocUnsafe(1 << 20);
      let lineStart = this.#next.byte;
      let line = this.#next.line;
      let results = this.#results;
      let position = lineStart;
      let previousByte = -1;
      while (position < size) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - position), position);
        if (bytesRead === 0) break;
        let from = 0;
        for (let newline = chunk.indexOf(0x0a, from); newline !== -1 && newline < bytesRead; newline = chunk.indexOf(0x0a, from)) {
          const end = position + newline;
          const before = newline > 0 ? chunk[newline - 1] : previousByte;
          // A blank line ("\n" or "\r\n") holds no result: the reader skips it too.
          const blank = end === lineStart || (end === lineStart + 1 && before === 0x0d);
          if (!blank) {
            if (results === this.#entries.length * journalIndexStride) this.#entries.push({ byte: lineStart, line });
            results++;
          }
          line++;
          lineStart = end + 1;
          from = newline + 1;
        }
        previousByte = chunk[bytesRead - 1]!;
        position += bytesRead;
      }
      this.#next = { byte: lineStart, line };
      this.#results = results;
    } finally {
      await handle.close();
    }
  }
}

interface NumberedLine {
  readonly text: string;
  readonly number: number;
  readonly torn: boolean;
}

/** The non-blank lines of `path` from `start` on, numbered; `torn` marks a last line with no newline. */
async function* linesFrom(path: string, start: JournalPlace): AsyncGenerator<NumberedLine> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if (start.byte >= size) return;
  let endsWithNewline = true;
  const handle = await open(path, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    endsWithNewline = last[0] === 0x0a;
  } finally {
    await handle.close();
  }
  // No further than the size seen above: an append made meanwhile is for the next read.
  const input = createReadStream(path, { start: start.byte, end: size - 1 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = start.line;
  let pending: { text: string; number: number } | undefined;
  try {
    for await (const text of lines) {
      number++;
      if (pending !== undefined) yield { ...pending, torn: false };
      pending = text.trim() === '' ? undefined : { text, number };
    }
    if (pending !== undefined) yield { ...pending, torn: !endsWithNewline };
  } finally {
    lines.close();
    // Closing readline leaves its input open: a reader that stopped early would keep the descriptor.
    input.destroy();
  }
}

/**
 * The results of the journal at `path` from its `position`-th on, through its sparse `index`: read
 * as `readJournal` reads them (a torn last line skipped, any other bad line a `StoreDamageError`).
 */
export async function* readJournalFrom(jobId: string, path: string, index: JournalIndex, position: number): AsyncGenerator<BatchResult> {
  const { place, skip } = await index.seek(position);
  let skipped = 0;
  for await (const line of linesFrom(path, place)) {
    // The results before the position are counted, not parsed (only the last line may be torn).
    if (skipped < skip && !line.torn) {
      skipped++;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      if (line.torn) return;
      throw new StoreDamageError(jobId, path, `not a JSON result: ${excerpt(line.text)}`, { line: line.number });
    }
    if (!isResultShaped(value)) {
      if (line.torn) return;
      throw new StoreDamageError(jobId, path, `not a result (an "id" and a known "status" are required): ${excerpt(line.text)}`, { line: line.number });
    }
    if (skipped < skip) {
      skipped++;
      continue;
    }
    yield value;
  }
}

/**
 * The run events at `path` (`events.jsonl`), in append order; none when there is none. A torn last
 * line is skipped; any other line that is not an event throws a `StoreDamageError` naming it.
 */
export async function* readEventJournal(jobId: string, path: string): AsyncGenerator<RunEvent> {
  for await (const line of linesFrom(path, journalStart)) {
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      if (line.torn) return;
      throw new StoreDamageError(jobId, path, `not a JSON run event: ${excerpt(line.text)}`, { line: line.number });
    }
    if (!isRunEventShaped(value)) {
      if (line.torn) return;
      throw new StoreDamageError(jobId, path, `not a run event (a known "type" and a numeric "at" are required): ${excerpt(line.text)}`, { line: line.number });
    }
    yield value;
  }
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
