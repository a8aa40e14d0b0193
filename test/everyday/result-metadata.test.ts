import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { anthropicBatch } from '../../src/adapters/anthropic/index.js';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiBatch, openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchProvider } from '../../src/provider/batch-provider.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

// Every body the emulator saw (sync calls and native batch items), to show metadata is never sent.
const bodies: Record<string, unknown>[] = [];
let server: MockProviderServer;

beforeAll(async () => {
  server = await createMockProviderServer({
    batch: { validatingMs: 5, processingMs: 20, finalizingMs: 5 },
    respond: (request) => {
      bodies.push(request.body);
      return undefined;
    },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  bodies.length = 0;
});

const requests = (model: string): BatchRequest[] => [
  { id: 'a', model, maxTokens: 16, messages: [{ role: 'user', content: 'first' }], metadata: { customer: 'c-1', row: 1 } },
  { id: 'b', model, maxTokens: 16, messages: [{ role: 'user', content: 'second' }] },
  { id: 'c', model, maxTokens: 16, messages: [{ role: 'user', content: 'third' }], metadata: { nested: { tags: ['x', 'y'] } } },
];

const modes: { name: string; model: string; provider: () => BatchProvider }[] = [
  { name: 'native OpenAI', model: 'gpt-5.4-mini', provider: () => openaiBatch({ apiKey: 'test-key', baseURL: `${server.url}/v1`, pollIntervalMs: 10 }) },
  { name: 'native Anthropic', model: 'claude-haiku-4-5', provider: () => anthropicBatch({ apiKey: 'test-key', baseURL: server.url, pollIntervalMs: 10 }) },
  { name: 'emulated', model: 'gpt-5.4-mini', provider: () => emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }) }) },
];

describe('a request\'s metadata comes back on its result', () => {
  for (const mode of modes) {
    it(`${mode.name}: on aggregate() and results() in either order, and never in a provider body`, async () => {
      await using client = createBatchClient({ provider: mode.provider(), store: memoryStore(), pollIntervalMs: 10 });
      const summary = await client.run(requests(mode.model));
      expect(summary.results.map((result) => [result.id, result.status, result.metadata])).toEqual([
        ['a', 'succeeded', { customer: 'c-1', row: 1 }],
        ['b', 'succeeded', undefined],
        ['c', 'succeeded', { nested: { tags: ['x', 'y'] } }],
      ]);
      const completionOrder = [];
      for await (const result of client.results(summary.jobId, { order: 'completion' })) completionOrder.push(result);
      expect(completionOrder.find((result) => result.id === 'a')?.metadata).toEqual({ customer: 'c-1', row: 1 });
      expect(bodies.length).toBe(3);
      expect(JSON.stringify(bodies)).not.toContain('c-1');
      expect(JSON.stringify(bodies)).not.toContain('nested');
    });
  }

  it('a cancelled item (never run) carries its metadata too', async () => {
    // A batch that stays in progress until it is cancelled: on a busy machine the shared server's
    // 30 ms batch could end before the cancel arrived.
    const slow = await createMockProviderServer({ batch: { validatingMs: 5, processingMs: 60_000, finalizingMs: 5 } });
    onTestFinished(() => slow.close());
    await using client = createBatchClient({
      provider: openaiBatch({ apiKey: 'test-key', baseURL: `${slow.url}/v1`, pollIntervalMs: 10 }),
      store: memoryStore(),
      pollIntervalMs: 10,
    });
    const job = await client.submit(requests('gpt-5.4-mini'));
    await client.cancel(job.id);
    await client.wait(job.id);
    const results = [];
    for await (const result of client.results(job.id)) results.push(result);
    expect(results.map((result) => result.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(results.find((result) => result.id === 'a')?.metadata).toEqual({ customer: 'c-1', row: 1 });
    expect(results.find((result) => result.id === 'c')?.metadata).toEqual({ nested: { tags: ['x', 'y'] } });
  });
});
