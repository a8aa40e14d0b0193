import { describe, expect, it } from 'vitest';
import { fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';

const request = (id: string, model?: string, text = 'hello'): BatchRequest => ({
  id,
  ...(model ? { model } : {}),
  messages: [{ role: 'user', content: text }],
});

describe('planner', () => {
  it('splits a job by the adapter request limit and merges results under one job id', async () => {
    const provider = fakeBatchProvider({ limits: { maxRequests: 4 } });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const requests = Array.from({ length: 10 }, (_, index) => request(`r${index}`));
    const job = await client.submit(requests, { model: 'm' });
    expect(job.parts.map((part) => part.requestCount)).toEqual([4, 4, 2]);
    expect(provider.backend.created).toBe(3);
    const summary = await client.aggregate((await client.wait(job.id)).id);
    expect(summary.results.map((result) => result.id)).toEqual(requests.map((item) => item.id));
    expect(summary.counts.succeeded).toBe(10);
  });

  it('splits by serialized bytes', async () => {
    const provider = fakeBatchProvider({ limits: { maxBytes: 300 } });
    const store = memoryStore();
    const client = createBatchClient({ provider, store, pollIntervalMs: 1 });
    const requests = Array.from({ length: 6 }, (_, index) => request(`r${index}`, 'm', 'x'.repeat(60)));
    const job = await client.submit(requests);
    expect(job.parts.length).toBeGreaterThan(1);
    for (const part of (await store.loadJob(job.id))!.parts) expect(part.bytes).toBeLessThanOrEqual(300);
    expect(job.parts.reduce((total, part) => total + part.requestCount, 0)).toBe(6);
  });

  it('puts one model in each part when the adapter needs it, keeping input order in results', async () => {
    const provider = fakeBatchProvider({ limits: { oneModelPerPart: true } });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const requests = [request('a', 'm1'), request('b', 'm2'), request('c'), request('d', 'm2')];
    const job = await client.submit(requests, { model: 'm1' });
    expect(job.parts.map((part) => [part.model, part.requestCount])).toEqual([
      ['m1', 2],
      ['m2', 2],
    ]);
    await client.wait(job.id);
    const ids: string[] = [];
    for await (const result of client.results(job.id)) ids.push(result.id);
    expect(ids).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rejects a single request larger than the byte limit', async () => {
    const provider = fakeBatchProvider({ limits: { maxBytes: 100 } });
    const client = createBatchClient({ provider, store: memoryStore() });
    await expect(client.submit([request('big', 'm', 'y'.repeat(500))])).rejects.toThrow(/big.*over the provider's limit/s);
  });
});
