/**
 * Jobs at the providers' size limits, end to end on the local emulator: a job past a provider's
 * per-batch limit is split into parts that each fit and every result comes back, and the emulator
 * serves a batch output file of 50,000 lines. Moved here from the end-to-end and emulator tests
 * because they take many seconds each (`npm test` stays quick).
 */
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicBatch } from '../../src/adapters/anthropic/anthropic-batch-adapter.js';
import { openaiBatch } from '../../src/adapters/openai/openai-batch-adapter.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest, BatchRequestInput } from '../../src/models/batch-request.js';
import type { BatchProvider } from '../../src/provider/batch-provider.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from '../../src/testing/mock-server/index.js';

let server: MockProviderServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockProviderServerOptions): Promise<MockProviderServer> {
  server = await createMockProviderServer(options);
  return server;
}

// From test/adapters/anthropic/anthropic-end-to-end.test.ts.
describe('anthropicBatch end to end through the client', () => {
  const clientFor = (emulator: MockProviderServer, provider?: BatchProvider) =>
    createBatchClient({
      provider: provider ?? anthropicBatch({ apiKey: 'test-key', baseURL: emulator.url }),
      store: memoryStore(),
      pollIntervalMs: 10,
      maxPollIntervalMs: 50,
    });

  it('splits a job of 120,000 requests into two batches and returns every result', { timeout: 300_000 }, async () => {
    const emulator = await start({ batch: { processingMs: 100 } });
    const client = clientFor(emulator);
    function* requests(): Generator<BatchRequestInput> {
      for (let index = 0; index < 120_000; index += 1) {
        yield { id: `q${index}`, maxTokens: 8, messages: [{ role: 'user', content: `n${index}` }] };
      }
    }
    const job = await client.submit(requests(), { model: 'claude-haiku-4-5' });
    expect(job.parts.map((part) => part.requestCount)).toEqual([100_000, 20_000]);
    expect(emulator.stats().batchesCreated.anthropic).toBe(2);
    const done = await client.wait(job.id, { timeoutMs: 240_000 });
    expect(done.counts).toMatchObject({ total: 120_000, succeeded: 120_000, pending: 0 });
    let count = 0;
    let last = '';
    for await (const result of client.results(job.id)) {
      count += 1;
      last = result.id;
    }
    expect(count).toBe(120_000);
    expect(last).toBe('q119999');
  });
});

// From test/adapters/openai/openai-end-to-end.test.ts.
describe('openaiBatch through createBatchClient', () => {
  const apiKey = 'sk-test-end-to-end';

  const request = (id: string, model?: string, text = `question ${id}`): BatchRequest => ({
    id,
    ...(model ? { model } : {}),
    maxTokens: 16,
    messages: [{ role: 'user', content: text }],
  });

  function clientFor(provider: BatchProvider, store = memoryStore()) {
    return createBatchClient({ provider, store, pollIntervalMs: 5, maxPollIntervalMs: 5 });
  }

  it('splits a 60,000-request job into parts of at most 50,000 and brings back every result', { timeout: 240_000 }, async () => {
    const mock = await start({
      batch: { clock: 'manual', validatingMs: 10, processingMs: 10, finalizingMs: 10, cancellingMs: 10 },
      respond: (request) => (JSON.stringify(request.body).includes('[fail]') ? { status: 500, error: { message: 'injected failure' } } : undefined),
    });
    const client = clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }));
    const requests = Array.from({ length: 60_000 }, (_, index) => request(`r${index}`));
    const job = await client.submit(requests, { model: 'gpt-4.1-nano' });
    expect(job.parts.map((part) => part.requestCount)).toEqual([50_000, 10_000]);
    const batches = await mock.batches();
    expect(batches.map((batch) => batch.total).sort((left, right) => left - right)).toEqual([10_000, 50_000]);
    await mock.advance(1_000);
    const done = await client.wait(job.id, { timeoutMs: 200_000 });
    expect(done.counts).toMatchObject({ total: 60_000, succeeded: 60_000, pending: 0 });
    let count = 0;
    for await (const result of client.results(job.id, { order: 'completion' })) if (result.status === 'succeeded') count += 1;
    expect(count).toBe(60_000);
  });
});

// From test/emulator/sync-endpoints.test.ts.
describe('load', () => {
  it('serves a 50,000-line batch output file', async () => {
    const { url, advance } = await start({ batch: { clock: 'manual' } });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${url}/v1`, maxRetries: 0 });
    const text = Array.from({ length: 50_000 }, (_, index) =>
      JSON.stringify({ custom_id: `r${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Question number ${index}` }] } }),
    ).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(text), 'big.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await advance(10_000);
    const done = await client.batches.retrieve(batch.id);
    expect(done.request_counts).toEqual({ total: 50_000, completed: 50_000, failed: 0 });
    const content = await (await client.files.content(done.output_file_id ?? '')).text();
    expect(content.split('\n').filter((line) => line !== '')).toHaveLength(50_000);
  });
});
