import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';

function request(id: string): BatchRequest {
  return { id, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user', content: `prompt ${id}` }] };
}

async function readAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('memoryStore', () => {
  it('keeps its own copy of a written request: changing the caller\'s object or a read copy changes nothing stored', async () => {
    const store = memoryStore();
    const writer = await store.createRequestWriter('job', 0);
    const written = request('a');
    await writer.write({ index: 0, request: written });
    await writer.close();
    written.messages.push({ role: 'user', content: 'added after the write' });
    const [first] = await readAll(store.readRequests('job', 0));
    first!.request.messages.push({ role: 'user', content: 'added by a reader' });
    const [second] = await readAll(store.readRequests('job', 0));
    expect(second).toEqual({ index: 0, request: request('a') });
  });

  it('keeps its own copy of an appended result', async () => {
    const store = memoryStore();
    const result: BatchResult = { id: 'a', status: 'cancelled', error: { category: 'cancelled', message: 'stopped', retryable: true } };
    await store.appendResults('job', [result]);
    result.error!.message = 'changed after the append';
    const [stored] = await readAll(store.readResults('job'));
    expect(stored).toMatchObject({ id: 'a', error: { message: 'stopped' } });
  });

  it('stores requests as the file store does: undefined fields are dropped', async () => {
    const store = memoryStore();
    const writer = await store.createRequestWriter('job', 0);
    await writer.write({ index: 0, request: { ...request('a'), temperature: undefined } });
    await writer.close();
    const [stored] = await readAll(store.readRequests('job', 0));
    expect(Object.keys(stored!.request)).not.toContain('temperature');
  });
});
