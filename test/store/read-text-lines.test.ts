import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTextLines } from '../../src/store/read-text-lines.js';

// The store's line reader reads 1 MiB chunks: a line, or a character, split across two chunks
// must come back whole.

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'llm-batch-lines-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function linesOf(text: string, end?: number): Promise<string[]> {
  const path = join(directory, `f${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(path, text);
  const lines: string[] = [];
  for await (const batch of readTextLines(path, end)) lines.push(...batch);
  return lines;
}

describe('readTextLines', () => {
  it('returns every line, an unterminated last one included, blank ones kept', async () => {
    expect(await linesOf('a\n\nb\nlast')).toEqual(['a', '', 'b', 'last']);
    expect(await linesOf('a\nb\n')).toEqual(['a', 'b']);
    expect(await linesOf('')).toEqual([]);
  });

  it('keeps lines and multi-byte characters whole across its 1 MiB chunks', async () => {
    // A 3-byte character straddles the first chunk boundary, inside a line longer than a chunk.
    const long = `${'x'.repeat((1 << 20) - 1)}€€ end`;
    const lines = await linesOf(`${long}\nshort ü\n${'y'.repeat(10)}`);
    expect(lines).toEqual([long, 'short ü', 'y'.repeat(10)]);
  });

  it('drops a byte order mark at the start of the file only, and keeps a line of several chunks whole', async () => {
    expect(await linesOf('\uFEFFa\n\uFEFFb\n')).toEqual(['a', '\uFEFFb']);
    const long = `${'é'.repeat(1 << 20)}z`; // 2 MiB of two-byte characters and no newline before the end
    expect(await linesOf(`\uFEFF${long}\nnext`)).toEqual([long, 'next']);
    expect(await linesOf(`${long}`)).toEqual([long]);
  });

  it('reads no further than `end` bytes', async () => {
    expect(await linesOf('one\ntwo\nthree\n', 8)).toEqual(['one', 'two']);
    expect(await linesOf('one\ntwo\nthree\n', 6)).toEqual(['one', 'tw']);
  });
});
