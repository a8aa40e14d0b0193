import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchResult } from '../../src/models/batch-result.js';
import { JournalIndex, journalIndexStride, readJournalFrom } from '../../src/store/journal-index.js';
import { readJournal } from '../../src/store/journal-file.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

const line = (index: number): string => `${JSON.stringify({ id: `item_${index}`, status: 'succeeded', text: `answer ${index} ✓`, finishReason: 'stop', model: 'm', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } } satisfies BatchResult)}\n`;

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the sparse index of a results journal', () => {
  it('reads from any position what the whole journal has past it: blank lines, CRLF, a torn tail, and a journal that grows', async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-batch-journal-index-'));
    const path = join(dir, 'results.jsonl');
    let text = '';
    for (let index = 0; index < 700; index++) {
      text += line(index);
      if (index % 97 === 0) text += '\n';
      if (index % 131 === 0) text += '\r\n';
    }
    await writeFile(path, `${text}{"id":"torn`);
    const index = new JournalIndex(path);
    const check = async (positions: number[]) => {
      const all = await collect(readJournal('job', path));
      for (const position of positions) {
        const ids = (await collect(readJournalFrom('job', path, index, position))).map((result) => result.id);
        expect(ids, `from ${position}`).toEqual(all.slice(position).map((result) => result.id));
      }
      return all.length;
    };
    expect(await check([0, 1, journalIndexStride - 1, journalIndexStride, journalIndexStride + 1, 2 * journalIndexStride, 699, 700, 5_000])).toBe(700);
    // The torn tail is completed and the journal grows: the index extends from where it stopped.
    await appendFile(path, '"}\n'.replace('"}', '_x","status":"succeeded","text":"","finishReason":"stop","model":"m","usage":{"inputTokens":0,"outputTokens":0,"totalTokens":0}}'));
    let more = '';
    for (let index = 700; index < 1_500; index++) more += line(index);
    await appendFile(path, more);
    expect(await check([0, 700, 701, 3 * journalIndexStride, 1_234, 1_500, 1_501])).toBe(1_501);
    expect(index.indexedResults).toBe(1_501);
  });
});
