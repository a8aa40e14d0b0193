import { afterAll, expect, it } from 'vitest';
import { geminiBatch } from '../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer } from '../../src/testing/mock-server/index.js';

// The large file job: 60,000 requests through geminiBatch and the unmodified SDK, uploaded as
// JSONL files through the Files API in three parts (25,000 requests a part), results downloaded,
// read line by line and returned in input order with usage summed.
const server = await createMockProviderServer({ batch: { validatingMs: 10, processingMs: 500 } });
afterAll(() => server.close());

it('runs a 60,000-request Gemini file job in three parts', { timeout: 300_000 }, async () => {
  const requests: BatchRequest[] = Array.from({ length: 60_000 }, (_, index) => ({
    id: `row-${index}`,
    model: 'gemini-2.5-flash',
    messages: [{ role: 'user', content: `Classify row ${index}` }],
    maxTokens: 8,
  }));
  const provider = geminiBatch({ apiKey: 'test-gemini-key', baseURL: server.url, maxRequestsPerPart: 25_000, inlineMaxBytes: 1_000_000 });
  const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 50, maxPollIntervalMs: 200 });
  const started = Date.now();
  const summary = await client.run(requests);
  const seconds = (Date.now() - started) / 1000;
  expect(summary.counts).toMatchObject({ total: 60_000, succeeded: 60_000 });
  expect(server.stats().batchesCreated.gemini).toBe(3);
  expect(server.journal.filter((entry) => entry.endpoint === 'gemini.files.download')).toHaveLength(3);
  expect(summary.results[0]?.id).toBe('row-0');
  expect(summary.results[59_999]?.id).toBe('row-59999');
  expect(summary.usage.inputTokens).toBe(summary.results.reduce((total, result) => total + (result.status === 'succeeded' ? result.usage.inputTokens : 0), 0));
  console.log(`60,000-request Gemini file job in three parts: ${seconds.toFixed(1)} s`);
});
