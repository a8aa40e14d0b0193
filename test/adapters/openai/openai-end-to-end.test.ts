import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openaiBatch } from '../../../src/adapters/openai/openai-batch-adapter.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { BatchProvider } from '../../../src/provider/batch-provider.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer, type MockRequest } from '../../../src/testing/mock-server/index.js';
import { runAdapterConformance } from '../../../src/testing/run-adapter-conformance.js';

const apiKey = 'sk-test-end-to-end';

function failMarked(request: MockRequest) {
  return JSON.stringify(request.body).includes('[fail]') ? { status: 500, error: { message: 'injected failure' } } : undefined;
}

// The shared suite, on a real-time emulator with short batch phases.
let conformanceServer: MockProviderServer;
beforeAll(async () => {
  conformanceServer = await createMockProviderServer({
    batch: { validatingMs: 20, processingMs: { perRequest: 10 }, finalizingMs: 20, cancellingMs: 20 },
    respond: failMarked,
  });
});
afterAll(async () => {
  await conformanceServer.close();
});

await runAdapterConformance({
  name: 'openaiBatch',
  model: 'gpt-4.1-mini',
  createAdapter: () => openaiBatch({ apiKey, baseURL: `${conformanceServer.url}/v1` }),
  pollIntervalMs: 20,
});

describe('openaiBatch through createBatchClient', () => {
  let server: MockProviderServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<MockProviderServer> {
    server = await createMockProviderServer({
      batch: { clock: 'manual', validatingMs: 10, processingMs: 10, finalizingMs: 10, cancellingMs: 10 },
      respond: failMarked,
    });
    return server;
  }

  const request = (id: string, model?: string, text = `question ${id}`): BatchRequest => ({
    id,
    ...(model ? { model } : {}),
    maxTokens: 16,
    messages: [{ role: 'user', content: text }],
  });

  function clientFor(provider: BatchProvider, store = memoryStore()) {
    return createBatchClient({ provider, store, pollIntervalMs: 5, maxPollIntervalMs: 5 });
  }

  it('runs a 3-request job end to end', async () => {
    const mock = await start();
    const client = clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }));
    const job = await client.submit([request('a'), request('b'), request('c')], { model: 'gpt-4.1-mini' });
    await mock.advance(1_000);
    const done = await client.wait(job.id);
    expect(done).toMatchObject({ status: 'completed', counts: { total: 3, succeeded: 3, pending: 0 } });
    const results = [];
    for await (const result of client.results(job.id)) results.push(result);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['c', 'succeeded'],
    ]);
  });

  it('splits a mixed-model job into one part per model, each batch with one model', async () => {
    const mock = await start();
    const client = clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }));
    const job = await client.submit([request('a', 'gpt-4.1-mini'), request('b', 'gpt-4.1'), request('c', 'gpt-4.1-mini'), request('d', 'gpt-4.1')]);
    expect(job.parts).toHaveLength(2);
    const models = await Promise.all(job.parts.map(async (part) => (await mock.getBatch(part.providerBatchId!))?.['model']));
    expect(models.sort()).toEqual(['gpt-4.1', 'gpt-4.1-mini']);
    await mock.advance(1_000);
    const done = await client.wait(job.id);
    expect(done.counts).toMatchObject({ total: 4, succeeded: 4 });
  });

  it('resumes after the process died between upload and create: one upload, one batch', async () => {
    const mock = await start();
    const store = memoryStore();
    const real = openaiBatch({ apiKey, baseURL: `${mock.url}/v1` });
    const dying: BatchProvider = {
      ...real,
      submit: (part, context) =>
        real.submit(part, {
          ...context,
          checkpoint: async (reference) => {
            await context.checkpoint(reference);
            throw new Error('process died after the upload');
          },
        }),
    };
    await expect(clientFor(dying, store).submit([request('a'), request('b')], { model: 'gpt-4.1-mini' })).rejects.toThrow('process died');
    const [stored] = await store.listJobs();
    expect(stored?.parts[0]).toMatchObject({ submitState: 'submitting', reference: { inputFileId: expect.any(String) } });

    const restarted = clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }), store);
    await restarted.resume(stored!.id);
    await mock.advance(1_000);
    const done = await restarted.wait(stored!.id);
    expect(done.counts).toMatchObject({ total: 2, succeeded: 2 });
    expect(mock.stats().filesUploaded).toBe(1);
    expect(mock.stats().batchesCreated.openai).toBe(1);
  });

  it('resumes after the process died between create and storing the batch id: finds it, creates nothing', async () => {
    const mock = await start();
    const store = memoryStore();
    const real = openaiBatch({ apiKey, baseURL: `${mock.url}/v1` });
    const dying: BatchProvider = {
      ...real,
      submit: async (part, context) => {
        await real.submit(part, context);
        throw new Error('process died after the create');
      },
    };
    await expect(clientFor(dying, store).submit([request('a'), request('b')], { model: 'gpt-4.1-mini' })).rejects.toThrow('process died');
    const [stored] = await store.listJobs();

    const restarted = clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }), store);
    const resumed = await restarted.resume(stored!.id);
    expect(resumed.parts[0]?.providerBatchId).toMatch(/^batch_/);
    await mock.advance(1_000);
    const done = await restarted.wait(stored!.id);
    expect(done.counts).toMatchObject({ total: 2, succeeded: 2 });
    expect(mock.stats().batchesCreated.openai).toBe(1);
  });

  it('resumes after the process died between create and results: reads the results once', async () => {
    const mock = await start();
    const store = memoryStore();
    const job = await clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }), store).submit([request('a'), request('b', undefined, 'please [fail]')], {
      model: 'gpt-4.1-mini',
    });
    await mock.advance(1_000);
    const restarted = clientFor(openaiBatch({ apiKey, baseURL: `${mock.url}/v1` }), store);
    await restarted.resume(job.id);
    const summary = await restarted.aggregate(job.id);
    expect(summary.counts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(mock.stats().batchesCreated.openai).toBe(1);
  });
});
