import { afterAll, expect, it } from 'vitest';
import { createMockProviderServer } from '../../src/testing/mock-server/index.js';
import { runCachedNativeJob } from '../adapters/gemini/cached-run-helpers.js';

// The cached run: 1,000 requests sharing a prefix of about 20,000 tokens on the native
// Gemini adapter: one cache created, every request references it, cached tokens priced at the
// cached rate, the cache deleted afterwards. (npm test runs the same checks with 100 requests.)
const server = await createMockProviderServer({ batch: { validatingMs: 5, processingMs: 200 }, journalBodies: true });
afterAll(() => server.close());

it('runs 1,000 requests on one Gemini context cache and deletes it after', { timeout: 120_000 }, async () => {
  await runCachedNativeJob(server, 1_000);
  expect(server.stats().batchesCreated.gemini).toBe(1);
});
