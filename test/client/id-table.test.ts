import { describe, expect, it } from 'vitest';
import { hashId, IdTable, type IdHash } from '../../src/client/id-table.js';
import { planJob } from '../../src/client/plan-job.js';
import { firstResultPerId } from '../../src/client/read-results.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { memoryStore } from '../../src/store/memory-store.js';

/** A hash that makes every two ids of the same length collide. */
const byLength: IdHash = (id) => [id.length, 0];
const limits = { maxRequests: 1_000, maxBytes: 1_000_000, oneModelPerPart: false };
const request = (id: string, model: string | undefined = 'm'): BatchRequest => ({ id, ...(model ? { model } : {}), messages: [{ role: 'user', content: `q ${id}` }] });

async function issuesOf(promise: Promise<unknown>): Promise<{ index: number; id?: string; field: string; reason: string }[]> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(ValidationError.isInstance(error)).toBe(true);
  return (error as ValidationError).issues.map(({ index, id, field, reason }) => ({ index, ...(id === undefined ? {} : { id }), field, reason }));
}

describe('IdTable', () => {
  it('keeps ids exactly up to its exact limit, then by hash, through growth, with their first positions', () => {
    const table = new IdTable({ exactLimit: 1_000 });
    const count = 300_000; // past two doublings of the first table (131,072 slots, half of them used)
    let hits = 0;
    for (let index = 0; index < count; index++) {
      if (table.add(`id-${index}`, index) !== -1) hits++;
      if (index === 999) expect(table.exact).toBe(true);
    }
    expect(hits).toBe(0);
    expect(table.exact).toBe(false);
    expect(table.size).toBe(count);
    for (const index of [0, 999, 1_000, 65_535, 131_071, 299_999]) expect(table.add(`id-${index}`, count + index)).toBe(index);
    expect(table.size).toBe(count);
  });

  it('reports a hash hit of two different ids as the first position of the hash (a suspect)', () => {
    const table = new IdTable({ exactLimit: 1, hash: byLength });
    expect(table.add('a', 0)).toBe(-1);
    expect(table.add('ab', 1)).toBe(-1);
    expect(table.exact).toBe(false);
    expect(table.add('cd', 2)).toBe(1);
    expect(table.add('b', 3)).toBe(0);
    expect(table.add('abc', 4)).toBe(-1);
  });

  it('sized for the ids expected, and without positions, still tells new ids from hits', () => {
    const table = new IdTable({ exactLimit: 10, expected: 200_000, positions: false });
    let hits = 0;
    for (let index = 0; index < 200_000; index++) if (table.add(`id-${index}`, index) !== -1) hits++;
    expect(hits).toBe(0);
    expect(table.add('id-123456', 0)).toBe(0);
    expect(table.add('id-200000', 0)).toBe(-1);
    const zero = new IdTable({ exactLimit: 0, hash: () => [0, 0], positions: false });
    expect(zero.add('a', 5)).toBe(-1);
    expect(zero.add('b', 6)).toBe(0);
    expect(zero.size).toBe(1);
  });

  it('hashes ids to 64 bits that differ for close ids', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 100_000; index++) seen.add(hashId(`r${index}`).join(':'));
    expect(seen.size).toBe(100_000);
    expect(hashId('ab')).not.toEqual(hashId('ba'));
  });
});

describe('planJob with a table of hashes', () => {
  it('takes ids that only share a hash (a suspect cleared against the stored requests)', async () => {
    const store = memoryStore();
    const planned = await planJob({ jobId: 'j', input: [request('aa'), request('bb'), request('cc'), request('d')], store, limits, ids: { exactLimit: 0, hash: byLength } });
    expect(planned.total).toBe(4);
    const stored: string[] = [];
    for await (const { request: kept } of store.readRequests('j', 0)) stored.push(kept.id);
    expect(stored).toEqual(['aa', 'bb', 'cc', 'd']);
  });

  it('names every real duplicate and the request it repeats, among suspects that are not', async () => {
    const store = memoryStore();
    const input = [request('aa'), request('bb'), request('bb'), request('cc'), request('aa'), request('bb')];
    expect(await issuesOf(planJob({ jobId: 'j', input, store, limits, ids: { exactLimit: 0, hash: byLength } }))).toEqual([
      { index: 2, id: 'bb', field: 'id', reason: 'duplicate id (first used by request 1)' },
      { index: 4, id: 'aa', field: 'id', reason: 'duplicate id (first used by request 0)' },
      { index: 5, id: 'bb', field: 'id', reason: 'duplicate id (first used by request 1)' },
    ]);
    expect(await store.loadJob('j')).toBeUndefined();
    expect([...(await collect(store.readRequests('j', 0)))]).toEqual([]);
  });

  it('confirms suspects whose first request was not stored (after another bad item), in input order with the other issues', async () => {
    const store = memoryStore();
    const input = [request('aa'), request('bb', ''), request('cc'), request('bb'), request('dd')];
    expect(await issuesOf(planJob({ jobId: 'j', input, store, limits, ids: { exactLimit: 0, hash: byLength } }))).toEqual([
      { index: 1, id: 'bb', field: 'model', reason: 'no model: set request.model, the "model" option or defaults.model of the client' },
      { index: 3, id: 'bb', field: 'id', reason: 'duplicate id (first used by request 1)' },
    ]);
  });

  it('finds a real duplicate past the exact limit with the default hash', async () => {
    const input = Array.from({ length: 70_000 }, (_, index) => request(`r${index}`));
    input.push(request('r5'), request('r69999'));
    const issues = await issuesOf(planJob({ jobId: 'j', input, store: memoryStore(), limits: { ...limits, maxRequests: 50_000 } }));
    expect(issues).toEqual([
      { index: 70_000, id: 'r5', field: 'id', reason: 'duplicate id (first used by request 5)' },
      { index: 70_001, id: 'r69999', field: 'id', reason: 'duplicate id (first used by request 69999)' },
    ]);
  });
});

describe('firstResultPerId with a table of hashes', () => {
  const result = (id: string, text: string): BatchResult => ({ id, status: 'succeeded', text, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'm' });

  it('keeps the first result of each id, holding suspects back until the journal is read again', async () => {
    const store = memoryStore();
    await store.appendResults('j', [result('aa', 'first aa'), result('bb', 'first bb'), result('aa', 'second aa'), result('cc', 'first cc'), result('bb', 'second bb'), result('e', 'first e')]);
    const read = await collect(firstResultPerId(store, 'j', undefined, { exactLimit: 0, hash: byLength }));
    expect(read.map((item) => `${item.id}:${(item as { text: string }).text}`)).toEqual(['first aa', 'first e', 'first bb', 'first cc'].map((text) => `${text.split(' ')[1]}:${text}`));
  });

  it('drops a second result of an id with the default table, exact or by hash', async () => {
    const store = memoryStore();
    const journal = Array.from({ length: 1_500 }, (_, index) => result(`r${index}`, 'first'));
    journal.push(result('r7', 'again'), result('r1499', 'again'));
    await store.appendResults('j', journal);
    for (const exactLimit of [10_000, 100]) {
      const read = await collect(firstResultPerId(store, 'j', undefined, { exactLimit }));
      expect(read).toHaveLength(1_500);
      expect(read.every((item) => (item as { text: string }).text === 'first')).toBe(true);
    }
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
