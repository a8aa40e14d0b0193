import { expect } from 'vitest';
import { geminiBatch } from '../../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import { computeCost } from '../../../src/cost/compute-cost.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import type { MockProviderServer } from '../../../src/testing/mock-server/index.js';

// About 20,000 tokens of shared prefix (the emulator counts about four characters a token).
export const prefix = 'Reference manual, section after section. '.repeat(2_000);

export function questions(count: number): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({ id: `ask-${index}`, model: 'gemini-2.5-flash', messages: [{ role: 'user' as const, content: `Question ${index} about the manual` }], maxTokens: 16 }));
}

/** Runs `count` questions on one cached prefix through geminiBatch and checks the cache's whole life. */
export async function runCachedNativeJob(server: MockProviderServer, count: number): Promise<void> {
  const provider = geminiBatch({ apiKey: 'test-gemini-key', baseURL: server.url, cache: { contents: prefix, ttl: 600 } });
  const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 10, maxPollIntervalMs: 50 });
  // The estimate knows the prefix: every request reads it, priced at the cached rate.
  const estimate = await client.estimate(questions(count));
  expect(estimate.cachedInputTokens).toBeGreaterThan(count * 15_000);
  expect(estimate.cacheSavingsUsd).toBeGreaterThan(0);
  // At a tenth of the input price, the cached prefix saves far more than the whole job costs.
  expect(estimate.cacheSavingsUsd ?? 0).toBeGreaterThan(2 * estimate.costUsd);
  expect(journalOf(server, 'gemini.caches.create')).toHaveLength(0);

  const summary = await client.run(questions(count));
  expect(summary.estimate?.cachedInputTokens).toBe(estimate.cachedInputTokens);

  expect(summary.counts).toMatchObject({ total: count, succeeded: count });
  expect(journalOf(server, 'gemini.caches.create')).toHaveLength(1);
  const created = journalOf(server, 'gemini.batches.create')[0]?.body as { batch: { inputConfig: { requests: { requests: Array<{ request: { cachedContent?: string } }> } } } };
  const sent = created.batch.inputConfig.requests.requests;
  expect(sent).toHaveLength(count);
  expect(new Set(sent.map((entry) => entry.request.cachedContent)).size).toBe(1);
  expect(sent[0]?.request.cachedContent).toMatch(/^cachedContents\//);

  // Every answer read most of its input from the cache, and the cost says so.
  expect(summary.usage.cachedInputTokens).toBeGreaterThan(summary.usage.inputTokens * 0.9);
  const cost = computeCost(summary.usage, { model: 'gemini-2.5-flash', mode: 'native' }) ?? Number.NaN;
  const uncached = computeCost({ ...summary.usage, cachedInputTokens: 0 }, { model: 'gemini-2.5-flash', mode: 'native' }) ?? Number.NaN;
  expect(cost).toBeLessThan(uncached * 0.2);

  // The cache deleted is the one every request referenced.
  expect(journalOf(server, 'gemini.caches.delete').map((entry) => entry.path)).toEqual([`/v1beta/${sent[0]?.request.cachedContent}`]);
  const left = await provider.client.caches.list();
  expect(left.page).toHaveLength(0);
}

export const journalOf = (emulator: MockProviderServer, endpoint: string) => emulator.journal.filter((entry) => entry.endpoint === endpoint);

