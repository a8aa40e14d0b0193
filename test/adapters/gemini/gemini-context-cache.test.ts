import { afterEach, describe, expect, it } from 'vitest';
import { emulated } from '../../../src/adapters/emulated/index.js';
import { geminiGenerate } from '../../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import { journalOf, prefix, questions, runCachedNativeJob } from './cached-run-helpers.js';

let server: MockProviderServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Gemini context caching', () => {
  // 40 here; the full 1,000 requests run in test/reliability/gemini-cached-run.test.ts.
  it('native: 40 requests share one cache, each references it, cached tokens are priced at the cached rate, the cache is gone after', async () => {
    server = await createMockProviderServer({ batch: { validatingMs: 5, processingMs: 100 }, journalBodies: true });
    await runCachedNativeJob(server, 40);
  });

  it('emulated: one cache for the run, referenced by every call, deleted at the end; a cache the user names is only referenced', async () => {
    server = await createMockProviderServer({ latency: 1, journalBodies: true });
    const client = createBatchClient({
      provider: emulated({ call: geminiGenerate({ apiKey: 'test-gemini-key', baseURL: server.url, cache: { contents: prefix } }), concurrency: 8 }),
      store: memoryStore(),
    });
    const estimate = await client.estimate(questions(40));
    expect(estimate.cachedInputTokens).toBeGreaterThan(40 * 15_000);
    expect(estimate.cacheSavingsUsd).toBeGreaterThan(0);
    const summary = await client.run(questions(40));
    expect(summary.counts.succeeded).toBe(40);
    expect(journalOf(server, 'gemini.caches.create')).toHaveLength(1);
    const calls = journalOf(server, 'gemini.generateContent');
    expect(calls).toHaveLength(40);
    expect(calls.every((entry) => typeof (entry.body as { cachedContent?: unknown }).cachedContent === 'string')).toBe(true);
    expect(journalOf(server, 'gemini.caches.delete')).toHaveLength(1);

    // The user's own cache: referenced, never deleted.
    const own = await geminiGenerate({ apiKey: 'test-gemini-key', baseURL: server.url }).client.caches.create({ model: 'gemini-2.5-flash', config: { contents: prefix } });
    const second = createBatchClient({
      provider: emulated({ call: geminiGenerate({ apiKey: 'test-gemini-key', baseURL: server.url, cache: own.name ?? '' }), concurrency: 4 }),
      store: memoryStore(),
    });
    expect((await second.run(questions(5))).counts.succeeded).toBe(5);
    expect(journalOf(server, 'gemini.caches.delete')).toHaveLength(1);
  });
});
