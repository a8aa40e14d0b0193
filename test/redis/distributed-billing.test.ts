import { describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiBatch } from '../../src/adapters/openai/openai-batch-adapter.js';
import { computeCost } from '../../src/cost/compute-cost.js';
import { BudgetExceededError, createBatchClient, memoryStore, type BatchResult } from '../../src/index.js';
import { openaiChat } from '../../src/openai.js';
import { createBatchWorker, distributed, redisStore } from '../../src/redis.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { useRedisServer } from '../support/use-redis-server.js';

// distributed() has a native lifecycle (submit, then poll) but its workers call the synchronous
// API: it declares `billing: 'sync'`, and every cost figure of its jobs is at the sync price.

const { redis, closers } = await useRedisServer();
const apiKey = 'sk-billing-test-key';
const model = 'gpt-5.4-mini';

const requests = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model, maxTokens: 16, messages: [{ role: 'user' as const, content: `${prefix} prompt number ${index}` }] }));

async function emulator(): Promise<MockProviderServer> {
  const server = await createMockProviderServer({ seed: 11, batch: { validatingMs: 10, processingMs: { perRequest: 2 }, finalizingMs: 10 } });
  closers.push(server);
  return server;
}

/** The cost of the results' usage, at the sync price (`emulated`) or the batch price (`native`). */
function priceOf(results: readonly BatchResult[], mode: 'native' | 'emulated'): number {
  let total = 0;
  for (const result of results) if (result.status === 'succeeded') total += computeCost(result.usage, { model, mode })!;
  return total;
}

async function distributedClient(queue: string, options: { maxCostUsd?: number } = {}) {
  const server = await emulator();
  closers.push(await createBatchWorker({ connection: redis.url, queue, call: openaiChat({ apiKey, baseURL: `${server.url}/v1` }), concurrency: 4 }));
  const provider = distributed({ connection: redis.url, queue, chunkSize: 5, pollIntervalMs: 50, ...options });
  const store = redisStore({ url: redis.url, prefix: `billing-${queue}` });
  closers.push(provider, store);
  return { client: createBatchClient({ provider, store, pollIntervalMs: 50, maxPollIntervalMs: 100 }), server };
}

describe('billing: a distributed job is priced at the sync price', () => {
  it('prices the estimate at submit, the aggregate, and a plain client reading the same store at the sync price', async () => {
    const { client, server } = await distributedClient('sync-price');
    const job = await client.submit(requests(12, 'dist'));
    expect(job.mode).toBe('native');
    expect(job.estimate!.costUsd).toBeGreaterThan(0);
    expect(job.estimate!.costUsd).toBe(job.estimate!.syncCostUsd);
    expect(job.estimate!.savingsUsd).toBe(0);
    // Billed as sync calls: by default the estimate approximates, as an emulated job's (no tokenizer load at submit).
    expect(job.estimate!.inputTokensExact).toBe(false);
    const ended = await client.wait(job.id);
    expect(ended.status).toBe('completed');
    const results: BatchResult[] = [];
    for await (const result of client.results(job.id)) results.push(result);
    expect(results.every((result) => result.status === 'succeeded')).toBe(true);
    const sync = priceOf(results, 'emulated');
    expect(sync).toBeGreaterThan(priceOf(results, 'native'));
    const aggregate = await client.aggregate(job.id);
    expect(aggregate.costUsd).toBeCloseTo(sync, 12);

    // Another process: a plain client on an unrelated adapter over the same Redis store prices the
    // job from its stored manifest, the same way.
    const store = redisStore({ url: redis.url, prefix: 'billing-sync-price' });
    closers.push(store);
    const reader = createBatchClient({ provider: openaiBatch({ apiKey, baseURL: `${server.url}/v1` }), store });
    expect((await reader.aggregate(job.id)).costUsd).toBeCloseTo(sync, 12);
    expect((await store.loadJob(job.id))?.billing).toBe('sync');
  });

  it('prices estimate() and dry runs at the sync price, and refuses a maxCostUsd between the batch and the sync estimate', async () => {
    const { client } = await distributedClient('budget');
    const estimate = await client.estimate(requests(12, 'budget'));
    expect(estimate.costUsd).toBeGreaterThan(0);
    expect(estimate.costUsd).toBe(estimate.syncCostUsd);
    const dryRun = await client.submit(requests(12, 'budget'), { dryRun: true });
    expect(dryRun.estimate.costUsd).toBe(dryRun.estimate.syncCostUsd);
    // Asked for explicitly, the batch price is still there.
    const asBatch = await client.estimate(requests(12, 'budget'), { mode: 'native' });
    expect(asBatch.costUsd).toBeLessThan(estimate.costUsd);
    const between = (asBatch.costUsd + estimate.costUsd) / 2;
    await expect(client.submit(requests(12, 'budget'), { maxCostUsd: between })).rejects.toBeInstanceOf(BudgetExceededError);
  });
});

describe('billing: the built-in adapters keep their mode\'s price', () => {
  it('an emulated job is priced at the sync price, a native OpenAI job at the batch discount', async () => {
    const server = await emulator();
    const baseURL = `${server.url}/v1`;
    const sync = createBatchClient({ provider: emulated({ call: openaiChat({ apiKey, baseURL }) }), store: memoryStore() });
    const emulatedRun = await sync.run(requests(6, 'emu'));
    expect(emulatedRun.status).toBe('completed');
    expect(emulatedRun.costUsd).toBeCloseTo(priceOf(emulatedRun.results, 'emulated'), 12);

    const batch = createBatchClient({ provider: openaiBatch({ apiKey, baseURL }), store: memoryStore(), pollIntervalMs: 10, maxPollIntervalMs: 20 });
    const nativeRun = await batch.run(requests(6, 'nat'));
    expect(nativeRun.status).toBe('completed');
    const discounted = priceOf(nativeRun.results, 'native');
    expect(discounted).toBeLessThan(priceOf(nativeRun.results, 'emulated'));
    expect(nativeRun.costUsd).toBeCloseTo(discounted, 12);
    const submitted = await batch.submit(requests(2, 'nat2'));
    expect(submitted.estimate!.costUsd).toBeLessThan(submitted.estimate!.syncCostUsd);
  });

  it('an emulated adapter that declares billing "batch" is priced with the discount, and its manifest says so', async () => {
    const server = await emulator();
    const provider = emulated({ call: openaiChat({ apiKey, baseURL: `${server.url}/v1` }) });
    const store = memoryStore();
    const client = createBatchClient({ provider: { ...provider, billing: 'batch' }, store });
    const outcome = await client.run(requests(6, 'flex'), { maxCostUsd: 1 });
    expect(outcome.status).toBe('completed');
    expect(outcome.estimate!.costUsd).toBeLessThan(outcome.estimate!.syncCostUsd);
    expect(outcome.costUsd).toBeCloseTo(priceOf(outcome.results, 'native'), 12);
    expect((await store.loadJob(outcome.jobId))?.billing).toBe('batch');
  });
});
