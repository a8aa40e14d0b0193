import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openaiBatch, type OpenAIBatchOptions } from '../../../src/adapters/openai/openai-batch-adapter.js';
import type { ProviderReference } from '../../../src/models/batch-job.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { BatchResult } from '../../../src/models/batch-result.js';
import type { BatchProvider, SubmitContext, SubmitPart } from '../../../src/provider/batch-provider.js';
import type { MockProviderServer, MockProviderServerOptions, MockRequest } from '../../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../../support/emulator.js';

const apiKey = 'sk-test-adapter';
const emulators = emulatorPerTest();

/** Fails every request whose last user text contains `[fail]` with a 500 inside the batch. */
function failMarked(request: MockRequest) {
  return JSON.stringify(request.body).includes('[fail]') ? { status: 500, error: { message: 'injected failure' } } : undefined;
}

function start(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  return emulators.start({
    batch: { clock: 'manual', validatingMs: 100, processingMs: { perRequest: 100 }, finalizingMs: 100, cancellingMs: 100 },
    respond: failMarked,
    ...options,
  });
}

function adapterFor(mock: MockProviderServer, options: OpenAIBatchOptions = {}): BatchProvider {
  return openaiBatch({ apiKey, baseURL: `${mock.url}/v1`, ...options });
}

function request(id: string, text: string, extra: Partial<BatchRequest> = {}): BatchRequest {
  return { id, model: 'gpt-4.1-mini', maxTokens: 32, messages: [{ role: 'user', content: text }], ...extra };
}

function part(requests: BatchRequest[], overrides: Partial<SubmitPart> = {}): SubmitPart {
  return {
    jobId: 'job_test',
    partId: 'part_0',
    index: 0,
    model: 'gpt-4.1-mini',
    requestCount: requests.length,
    metadata: { run: 'nightly' },
    async *requests() {
      yield* requests;
    },
    ...overrides,
  };
}

interface RecordingContext extends SubmitContext {
  readonly warnings: string[];
  readonly checkpoints: ProviderReference[];
}

function context(previous?: ProviderReference): RecordingContext {
  const warnings: string[] = [];
  const checkpoints: ProviderReference[] = [];
  return {
    warnings,
    checkpoints,
    warn: (message) => warnings.push(message),
    checkpoint: async (reference) => {
      checkpoints.push(reference);
    },
    recordResult: async () => {
      throw new Error('native adapters never record results');
    },
    ...(previous ? { previous } : {}),
  };
}

async function collect(results: AsyncIterable<BatchResult>): Promise<Map<string, BatchResult>> {
  const byId = new Map<string, BatchResult>();
  for await (const result of results) byId.set(result.id, result);
  return byId;
}

describe('openaiBatch construction', () => {
  it('fails at construction without a key, naming OPENAI_API_KEY', () => {
    const saved = process.env['OPENAI_API_KEY'];
    delete process.env['OPENAI_API_KEY'];
    try {
      expect(() => openaiBatch()).toThrow(/OPENAI_API_KEY/);
    } finally {
      if (saved !== undefined) process.env['OPENAI_API_KEY'] = saved;
    }
  });

  it('rejects an unknown endpoint with a ValidationError naming the option and value', () => {
    expect(() => openaiBatch({ apiKey, endpoint: '/v1/completions' as never })).toThrow(/option "endpoint".*"\/v1\/completions"/);
  });

  it('declares the OpenAI limits', () => {
    expect(openaiBatch({ apiKey }).limits).toEqual({ maxRequests: 50_000, maxBytes: 200 * 1024 * 1024, oneModelPerPart: true });
  });
});

describe('openaiBatch against the emulator', () => {
  it('uploads, checkpoints the file, creates the batch with job metadata and reads three results', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    const submitContext = context();
    const reference = await adapter.submit(part([request('a', 'alpha'), request('b', 'beta'), request('c', 'gamma')]), submitContext);

    expect(submitContext.checkpoints).toEqual([expect.objectContaining({ inputFileId: reference['inputFileId'] })]);
    const batch = await mock.getBatch(reference.id);
    expect(batch).toMatchObject({
      input_file_id: reference['inputFileId'],
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { run: 'nightly', llm_batch_job: 'job_test', llm_batch_part: 'part_0' },
    });

    expect((await adapter.poll(reference, context())).status).toBe('validating');
    await mock.advance(10_000);
    const polled = await adapter.poll(reference, context());
    expect(polled).toMatchObject({ status: 'completed', rawStatus: 'completed', counts: { succeeded: 3, failed: 0 } });
    expect(polled.reference).toMatchObject({ outputFileId: expect.any(String) });

    const results = await collect(adapter.results(reference, context()));
    expect([...results.keys()].sort()).toEqual(['a', 'b', 'c']);
    for (const result of results.values()) {
      expect(result).toMatchObject({ status: 'succeeded', text: expect.any(String), finishReason: 'stop' });
      if (result.status === 'succeeded') expect(result.usage.inputTokens).toBeGreaterThan(0);
    }
  });

  it('reports live request counts while in progress', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    const reference = await adapter.submit(part(Array.from({ length: 10 }, (_, index) => request(`r${index}`, `item ${index}`))), context());
    await mock.advance(100 + 450);
    const polled = await adapter.poll(reference, context());
    expect(polled.status).toBe('in_progress');
    expect(polled.counts?.succeeded).toBeGreaterThan(0);
    expect(polled.counts?.pending).toBeGreaterThan(0);
    expect((polled.counts?.succeeded ?? 0) + (polled.counts?.pending ?? 0)).toBe(10);
  });

  it('mixes the output and error files: 2xx lines succeed, HTTP failures (error: null) fail with a category', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    const reference = await adapter.submit(part([request('ok1', 'fine'), request('bad', 'please [fail]'), request('ok2', 'fine')]), context());
    await mock.advance(10_000);
    const polled = await adapter.poll(reference, context());
    expect(polled).toMatchObject({ status: 'completed', counts: { succeeded: 2, failed: 1 } });
    expect(polled.reference).toMatchObject({ outputFileId: expect.any(String), errorFileId: expect.any(String) });
    const results = await collect(adapter.results(reference, context()));
    expect(results.get('ok1')?.status).toBe('succeeded');
    expect(results.get('bad')).toMatchObject({ status: 'failed', error: { category: 'server', statusCode: 500, retryable: true } });
  });

  it('keeps the partial output of an expired batch and marks the rest expired', async () => {
    const mock = await start({ batchFaults: { expireRate: 1 } });
    const adapter = adapterFor(mock);
    const requests = Array.from({ length: 10 }, (_, index) => request(`e${index}`, `item ${index}`));
    const reference = await adapter.submit(part(requests), context());
    await mock.advance(100_000_000);
    const polled = await adapter.poll(reference, context());
    expect(polled.status).toBe('expired');
    const results = [...(await collect(adapter.results(reference, context()))).values()];
    const succeeded = results.filter((result) => result.status === 'succeeded').length;
    const expired = results.filter((result) => result.status === 'expired').length;
    expect(succeeded).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
    expect(succeeded + expired).toBe(10);
    expect(results.find((result) => result.status === 'expired')).toMatchObject({ error: { category: 'expired' } });
  });

  it('cancels a running batch, which ends cancelled with its partial output', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    const reference = await adapter.submit(part(Array.from({ length: 10 }, (_, index) => request(`c${index}`, `item ${index}`))), context());
    await mock.advance(100 + 350);
    await adapter.cancel(reference, context());
    expect((await adapter.poll(reference, context())).status).toBe('cancelling');
    await mock.advance(10_000);
    const polled = await adapter.poll(reference, context());
    expect(polled.status).toBe('cancelled');
    const results = [...(await collect(adapter.results(reference, context()))).values()];
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThan(10);
    // Cancelling again once it ended is not an error.
    await expect(adapter.cancel(reference, context())).resolves.toBeUndefined();
  });

  it('reports a validation failure of the input file with the lines it names', async () => {
    const mock = await start({ batchFaults: { failValidationRate: 1 } });
    const adapter = adapterFor(mock);
    const reference = await adapter.submit(part([request('v1', 'one'), request('v2', 'two')]), context());
    await mock.advance(10_000);
    const polled = await adapter.poll(reference, context());
    expect(polled.status).toBe('failed');
    expect(polled.error).toMatch(/input file failed validation: line \d+/);
    expect((await collect(adapter.results(reference, context()))).size).toBe(0);
  });

  it('treats an empty-string error_file_id as no error file', async () => {
    const mock = await start({ batch: { clock: 'manual', validatingMs: 10, processingMs: 10, finalizingMs: 10, emptyStringErrorFileId: true } });
    const adapter = adapterFor(mock);
    const reference = await adapter.submit(part([request('x', 'one')]), context());
    await mock.advance(10_000);
    expect(await mock.getBatch(reference.id)).toMatchObject({ error_file_id: '' });
    const polled = await adapter.poll(reference, context());
    expect(polled.reference).not.toHaveProperty('errorFileId');
    expect((await collect(adapter.results(reference, context()))).get('x')?.status).toBe('succeeded');
  });

  it('warns about a truncated results file and reports only the whole lines', async () => {
    const mock = await start({ batchFaults: { truncateResults: true } });
    const adapter = adapterFor(mock);
    const reference = await adapter.submit(part([request('t1', 'one'), request('t2', 'two'), request('t3', 'three')]), context());
    await mock.advance(10_000);
    const readContext = context();
    const results = await collect(adapter.results(reference, readContext));
    expect(results.size).toBeLessThan(3);
    expect(readContext.warnings).toEqual([expect.stringMatching(/line \d+: not valid JSON; its request is reported as missing/)]);
  });

  it('drops temperature and top_p for reasoning models with one warning per part and parameter', async () => {
    const mock = await start({ journalBodies: true });
    const adapter = adapterFor(mock);
    const submitContext = context();
    const requests = ['a', 'b', 'c'].map((id) => request(id, id, { model: 'gpt-5-mini', temperature: 0.2, topP: 0.5 }));
    await adapter.submit(part(requests, { model: 'gpt-5-mini' }), submitContext);
    expect(submitContext.warnings).toHaveLength(2);
    expect(submitContext.warnings.join('\n')).toMatch(/dropped `temperature` for gpt-5-mini/);
    expect(submitContext.warnings.join('\n')).toMatch(/dropped `top_p`/);
    const preview = adapter.preview?.(requests[0]!) as { body: Record<string, unknown> };
    expect(preview.body).not.toHaveProperty('temperature');
  });

  it('does not find a batch when the crash came before the upload was checkpointed', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    expect(await adapter.find?.(part([request('a', 'x')]), context())).toBeUndefined();
    expect(mock.stats().byEndpoint['batches.list'] ?? 0).toBe(0);
  });

  it('resumes after a crash between upload and create: reuses the uploaded file, creates one batch', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    const requests = [request('a', 'one'), request('b', 'two')];
    // The first attempt dies right after the checkpoint, before batches.create.
    const crashed = context();
    crashed.checkpoint = async (reference) => {
      crashed.checkpoints.push(reference);
      throw new Error('process died');
    };
    await expect(adapter.submit(part(requests), crashed)).rejects.toThrow('process died');
    const previous = crashed.checkpoints[0]!;

    const restarted = adapterFor(mock);
    expect(await restarted.find?.(part(requests), context(previous))).toBeUndefined();
    const reference = await restarted.submit(part(requests), context(previous));
    expect(reference['inputFileId']).toBe(previous['inputFileId']);
    expect(mock.stats().filesUploaded).toBe(1);
    expect(mock.stats().batchesCreated.openai).toBe(1);
  });

  it('resumes after a crash between create and the stored reference: finds the batch by metadata', async () => {
    const mock = await start();
    const adapter = adapterFor(mock);
    const submitContext = context();
    // Another part's batch, to show the match is by job and part.
    await adapter.submit(part([request('z', 'other')], { partId: 'part_1', index: 1 }), context());
    const reference = await adapter.submit(part([request('a', 'one')]), submitContext);
    await adapter.submit(part([request('y', 'other')], { jobId: 'job_other' }), context());

    const found = await adapterFor(mock).find?.(part([request('a', 'one')]), context(submitContext.checkpoints[0]));
    expect(found?.id).toBe(reference.id);
    expect(mock.stats().batchesCreated.openai).toBe(3);
  });

  it('deletes the input and output files on cleanup when asked', async () => {
    const mock = await start();
    const adapter = adapterFor(mock, { cleanupFiles: 'all' });
    const reference = await adapter.submit(part([request('a', 'one')]), context());
    await mock.advance(10_000);
    const polled = await adapter.poll(reference, context());
    await adapter.cleanup?.({ ...reference, ...polled.reference }, context());
    const files = new OpenAI({ apiKey, baseURL: `${mock.url}/v1`, maxRetries: 0 }).files;
    await expect(files.retrieve(reference['inputFileId'] as string)).rejects.toMatchObject({ status: 404 });
    await expect(files.retrieve(polled.reference?.['outputFileId'] as string)).rejects.toMatchObject({ status: 404 });
  });

  it('sends embeddings with the input from providerOptions and reads the vectors', async () => {
    const mock = await start();
    const adapter = adapterFor(mock, { endpoint: '/v1/embeddings' });
    const embedding = request('emb', 'unused', { model: 'text-embedding-3-small', providerOptions: { openai: { input: 'hello' } } });
    const reference = await adapter.submit(part([embedding], { model: 'text-embedding-3-small' }), context());
    await mock.advance(10_000);
    expect((await adapter.poll(reference, context())).status).toBe('completed');
    const result = (await collect(adapter.results(reference, context()))).get('emb');
    expect(result).toMatchObject({ status: 'succeeded', output: [expect.any(Array)] });
  });

  it('creates a batch exactly once even when the create fails and the user client would retry', async () => {
    const mock = await start({ faults: { rates: { '500': 1 }, endpoints: ['batches.create'] } });
    const client = new OpenAI({ apiKey, baseURL: `${mock.url}/v1`, maxRetries: 3 });
    const adapter = openaiBatch({ client });
    await expect(adapter.submit(part([request('a', 'one')]), context())).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(mock.journal.filter((entry) => entry.endpoint === 'batches.create')).toHaveLength(1);
  });

  it('uses a user-supplied client as given', async () => {
    const mock = await start();
    const client = new OpenAI({ apiKey, baseURL: `${mock.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-mock-key': 'custom-client' } });
    const saved = process.env['OPENAI_API_KEY'];
    delete process.env['OPENAI_API_KEY'];
    try {
      const adapter = openaiBatch({ client });
      const reference = await adapter.submit(part([request('a', 'one')]), context());
      expect(reference.id).toMatch(/^batch_/);
    } finally {
      if (saved !== undefined) process.env['OPENAI_API_KEY'] = saved;
    }
  });
});
