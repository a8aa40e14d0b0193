import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsInInputOrder } from '../../src/client/results-in-input-order.js';
import type { JobManifest } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchStore } from '../../src/store/batch-store.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'input-order-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const succeeded = (id: string, text = `answer ${id}`): BatchResult => ({
  id,
  status: 'succeeded',
  text,
  finishReason: 'stop',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  model: 'm',
});

/**
 * A job of `total` requests spread over `parts` parts the way a planner splits by model: request i
 * goes to part i % parts, so each part holds every parts-th position. Results are journaled in a
 * scrambled order, with one duplicate (a later, different result for item_3), one unknown id and no
 * result at all for the last request.
 */
async function makeJob(store: BatchStore, jobId: string, total: number, parts: number): Promise<JobManifest> {
  const writers = await Promise.all(Array.from({ length: parts }, (_, part) => store.createRequestWriter(jobId, part)));
  for (let index = 0; index < total; index++) {
    await writers[index % parts]!.write({ index, request: { id: `item_${index}`, model: `model-${index % parts}`, messages: [{ role: 'user', content: `q${index}` }] } });
  }
  for (const writer of writers) await writer.close();
  const order = Array.from({ length: total - 1 }, (_, index) => (index * 7919) % (total - 1));
  const journal: BatchResult[] = order.map((index) => succeeded(`item_${index}`));
  journal.splice(5, 0, succeeded('not_in_this_job'));
  journal.push(succeeded('item_3', 'a duplicate that must not win'));
  for (let start = 0; start < journal.length; start += 50) await store.appendResults(jobId, journal.slice(start, start + 50));
  const now = new Date().toISOString();
  return {
    id: jobId,
    provider: 'test',
    mode: 'native',
    status: 'completed',
    counts: { total, succeeded: total - 1, failed: 0, cancelled: 0, expired: 0, pending: 1 },
    createdAt: now,
    updatedAt: now,
    parts: Array.from({ length: parts }, (_, part) => ({ id: `${jobId}_p${part}`, index: part, status: 'completed', requestCount: 0, submitState: 'submitted', resultsStored: true })),
    metadata: {},
    warnings: [],
  } as JobManifest;
}

async function collect(iterable: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

async function spillFolders(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('llm-batch-order-'));
}

describe('results in input order', () => {
  const total = 997; // prime, so the scrambled journal order visits every position
  const expectedIds = Array.from({ length: total - 1 }, (_, index) => `item_${index}`);

  it('orders a small job in memory: first result per id wins, unknown ids and missing results are left out', async () => {
    const store = memoryStore();
    const job = await makeJob(store, 'job_small', total, 3);
    const results = await collect(resultsInInputOrder({ store, job }));
    expect(results.map((result) => result.id)).toEqual(expectedIds);
    expect(results[3]).toMatchObject({ text: 'answer item_3' });
  });

  it('orders a large job through temporary files with the same answer, and removes them', async () => {
    const store = fileStore({ dir });
    const job = await makeJob(store, 'job_large', total, 4);
    const before = await spillFolders();
    const results = await collect(resultsInInputOrder({ store, job, bucketSize: 64 }));
    expect(results.map((result) => result.id)).toEqual(expectedIds);
    expect(results[3]).toMatchObject({ text: 'answer item_3' });
    expect(results[500]).toEqual(succeeded('item_500'));
    expect(await spillFolders()).toEqual(before);
  });

  it('removes the temporary files when the reader stops early', async () => {
    const store = fileStore({ dir });
    const job = await makeJob(store, 'job_early', total, 2);
    const before = await spillFolders();
    const first: string[] = [];
    for await (const result of resultsInInputOrder({ store, job, bucketSize: 100 })) {
      first.push(result.id);
      if (first.length === 150) break;
    }
    expect(first).toEqual(expectedIds.slice(0, 150));
    expect(await spillFolders()).toEqual(before);
  });

  it('stops at an abort', async () => {
    const store = memoryStore();
    const job = await makeJob(store, 'job_abort', total, 1);
    const controller = new AbortController();
    controller.abort(new Error('stop reading'));
    await expect(collect(resultsInInputOrder({ store, job, signal: controller.signal }))).rejects.toThrow('stop reading');
  });
});
