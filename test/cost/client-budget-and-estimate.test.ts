import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { countTokens } from '../../src/cost/count-tokens.js';
import { BudgetExceededError } from '../../src/errors/budget-exceeded-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

// 400 characters -> 107 input tokens (chars / 4 + overheads); 1,000 output tokens at most.
const request = (id: string, maxTokens = 1_000): BatchRequest => ({
  id,
  model: 'gpt-5.4-mini',
  maxTokens,
  messages: [{ role: 'user', content: `${id.padEnd(400, '.')}` }],
});
const requests = (count: number): BatchRequest[] => Array.from({ length: count }, (_, index) => request(`item_${index}`));
// Estimates count input tokens exactly for OpenAI models (gpt-tokenizer), so the expected figures do too.
const inputTokens = async (count: number): Promise<number> => {
  let total = 0;
  for (const item of requests(count)) total += (await countTokens(item, { model: 'gpt-5.4-mini' })).tokens;
  return total;
};
// Sync worst case of one item: 107 × $0.75/M + 1,000 × $4.50/M.
const itemWorstCase = (107 * 0.75 + 1_000 * 4.5) / 1e6;

describe('estimate and dry runs', () => {
  it('estimates at the batch price on a native adapter, without submitting anything', async () => {
    const provider = fakeBatchProvider();
    const store = memoryStore();
    const client = createBatchClient({ provider, store });
    const estimate = await client.estimate(requests(4));
    // (input × 0.75 + 4 × 500 × 4.5) / 1M / 2
    expect(estimate.costUsd).toBeCloseTo(((await inputTokens(4)) * 0.75 + 4 * 500 * 4.5) / 1e6 / 2, 12);
    expect(provider.backend.created).toBe(0);
    expect(await store.listJobs()).toEqual([]);
  });

  it('returns the estimate, planned parts and previews on a dry run and stores nothing', async () => {
    const provider = fakeBatchProvider({ limits: { maxRequests: 3 } });
    const store = memoryStore();
    const client = createBatchClient({ provider, store });
    const result = await client.submit(requests(7), { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.requestCount).toBe(7);
    expect(result.parts.map((part) => part.requestCount)).toEqual([3, 3, 1]);
    expect(result.preview).toHaveLength(3);
    expect(result.preview[0]).toMatchObject({ custom_id: 'item_0' });
    expect(result.estimate.inputTokens).toBe(await inputTokens(7));
    expect(provider.backend.created).toBe(0);
    expect(await store.listJobs()).toEqual([]);
  });

  it('records the estimate on the job and the actual cost in the aggregate', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run(requests(2));
    expect(summary.estimate?.perModel[0]?.model).toBe('gpt-5.4-mini');
    // The fake reports usage per result; the cost is that usage at the batch price of gpt-5.4-mini.
    const expected = (summary.usage.inputTokens * 0.75 + summary.usage.outputTokens * 4.5) / 1e6 / 2;
    expect(summary.costUsd).toBeCloseTo(expected, 12);
  });
});

describe('maxCostUsd on a native adapter', () => {
  it('refuses a job whose estimate passes the budget before any network call', async () => {
    const provider = fakeBatchProvider();
    const store = memoryStore();
    const client = createBatchClient({ provider, store });
    const error = await client.submit(requests(10), { maxCostUsd: 0.001 }).catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect((error as BudgetExceededError).estimatedCostUsd).toBeCloseTo(((await inputTokens(10)) * 0.75 + 10 * 500 * 4.5) / 1e6 / 2, 12);
    expect(provider.backend.created).toBe(0);
    expect(await store.listJobs()).toEqual([]);
  });

  it('submits a job whose estimate fits the budget', async () => {
    const store = memoryStore();
    const client = createBatchClient({ provider: fakeBatchProvider(), store });
    const job = await client.submit(requests(2), { maxCostUsd: 1 });
    expect((await store.loadJob(job.id))?.options?.maxCostUsd).toBe(1);
  });

  it('refuses a budget it cannot enforce because a model has no price', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() });
    await expect(client.submit([{ ...request('a'), model: 'mystery-model' }], { maxCostUsd: 1 })).rejects.toThrow(/no price for "mystery-model"/);
  });

  it('rejects a negative budget naming the option', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() });
    await expect(client.submit(requests(1), { maxCostUsd: -5 })).rejects.toThrow(/"maxCostUsd".*-5/);
  });
});

describe('maxCostUsd in emulated mode (emulator)', () => {
  let server: MockProviderServer;
  beforeAll(async () => {
    // Every answer reports 1,000 output tokens, so each item really costs about its worst case.
    server = await createMockProviderServer({ respond: () => ({ text: 'ok', usage: { inputTokens: 107, outputTokens: 1_000 } }) });
  });
  afterAll(async () => {
    await server.close();
  });

  it('stops once the budget is reached: results so far kept, the rest cancelled with category budget', async () => {
    const provider = emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), concurrency: 1 });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 5 });
    const summary = await client.run(requests(8), { maxCostUsd: itemWorstCase * 3.5 });
    const succeeded = summary.results.filter((result) => result.status === 'succeeded');
    const cancelled = summary.results.filter((result) => result.status === 'cancelled');
    expect(succeeded.map((result) => result.id)).toEqual(['item_0', 'item_1', 'item_2']);
    expect(cancelled).toHaveLength(5);
    for (const result of cancelled) expect(result.error?.category).toBe('budget');
    expect(summary.costUsd).toBeLessThanOrEqual(itemWorstCase * 3.5);
    // Only the three items that fit were ever sent to the provider.
    expect(server.journal.filter((entry) => entry.path === '/v1/chat/completions')).toHaveLength(3);
  });
});

describe('exact or approximate input tokens in the stored estimate', () => {
  const instant = emulated({
    call: { name: 'instant', call: async () => ({ text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'gpt-5.4-mini' }) },
    concurrency: 2,
  });
  // Exact and approximate counts of these prompts differ, so the assertions can tell them apart.
  const approximate = requests(3).length * (3 + 4 + 100);

  it('counts exactly for native jobs and estimates, approximately for emulated jobs by default', async () => {
    const native = await createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() }).submit(requests(3));
    expect(native.estimate).toMatchObject({ inputTokens: await inputTokens(3), inputTokensExact: true });

    const client = createBatchClient({ provider: instant, store: memoryStore() });
    const job = await client.submit(requests(3));
    expect(job.estimate).toMatchObject({ inputTokens: approximate, inputTokensExact: false });
    expect(approximate).not.toBe(await inputTokens(3));
    expect(await client.estimate(requests(3))).toMatchObject({ inputTokens: await inputTokens(3), inputTokensExact: true });
  });

  it('follows exactTokens when it is given, and rejects a value that is not a boolean', async () => {
    const client = createBatchClient({ provider: instant, store: memoryStore() });
    const exact = await client.submit(requests(3), { exactTokens: true });
    expect(exact.estimate).toMatchObject({ inputTokens: await inputTokens(3), inputTokensExact: true });
    expect(await client.estimate(requests(3), { exactTokens: false })).toMatchObject({ inputTokens: approximate, inputTokensExact: false });
    await expect(client.submit(requests(1), { exactTokens: 'yes' as unknown as boolean })).rejects.toThrow(/"exactTokens" must be true or false, got "yes"/);
  });
});

describe("an adapter's own token counter", () => {
  const counting = () => ({ ...fakeBatchProvider(), countTokens: (request: BatchRequest) => request.id.length * 1_000 });

  it('is what estimates, dry runs and the stored estimate count input tokens with', async () => {
    const client = createBatchClient({ provider: counting(), store: memoryStore() });
    // ids item_0 .. item_2: 6 characters each, so 6,000 tokens a request.
    expect(await client.estimate(requests(3))).toMatchObject({ inputTokens: 18_000, inputTokensExact: true });
    const dryRun = await client.submit(requests(3), { dryRun: true });
    expect(dryRun.estimate.inputTokens).toBe(18_000);
    const job = await client.submit(requests(3));
    expect(job.estimate?.inputTokens).toBe(18_000);
    // exactTokens: false still approximates without asking the adapter.
    expect((await client.estimate(requests(3), { exactTokens: false })).inputTokens).toBe(3 * (3 + 4 + 100));
  });

  it('names the request when the counter returns something that is not a token count', async () => {
    const client = createBatchClient({ provider: { ...fakeBatchProvider(), countTokens: () => Number.NaN }, store: memoryStore() });
    await expect(client.estimate(requests(2))).rejects.toThrow(/countTokens of the adapter returned NaN for request "item_0"/);
  });
});

describe('the estimate stored at submit', () => {
  it('is counted as the planner stores the requests, without reading them back', async () => {
    const inner = memoryStore();
    const reads: number[] = [];
    const store = { ...inner, readRequests: (jobId: string, part: number) => (reads.push(part), inner.readRequests(jobId, part)) };
    const provider = fakeBatchProvider({ limits: { maxRequests: 2 } });
    const client = createBatchClient({ provider, store });
    const job = await client.submit(requests(5));
    expect(job.parts).toHaveLength(3);
    // Once per part, by the adapter building its batch; none for the estimate.
    expect(reads.sort()).toEqual([0, 1, 2]);
    expect(job.estimate).toMatchObject({ inputTokens: await inputTokens(5), outputTokensMax: 5_000, inputTokensExact: true });
    expect(job.estimate).toEqual(await client.estimate(requests(5)));
  });
});
