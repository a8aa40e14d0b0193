import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { geminiBatch, type GeminiBatchOptions } from '../../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import type { BatchRequest, BatchRequestInput } from '../../../src/models/batch-request.js';
import type { BatchProvider } from '../../../src/provider/batch-provider.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import type { MockProviderServer, MockProviderServerOptions } from '../../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../../support/emulator.js';
import { toOpenAIBatchLine } from '../../../src/wire/openai/openai-batch-line.js';

const emulators = emulatorPerTest();

function start(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  return emulators.start({ batch: { validatingMs: 5, processingMs: 30, cancellingMs: 10 }, ...options });
}

const adapter = (emulator: MockProviderServer, options: GeminiBatchOptions = {}) => geminiBatch({ apiKey: 'test-gemini-key', baseURL: emulator.url, ...options });

const clientFor = (emulator: MockProviderServer, provider?: BatchProvider) =>
  createBatchClient({ provider: provider ?? adapter(emulator), store: memoryStore(), pollIntervalMs: 10, maxPollIntervalMs: 50 });

function makeRequests(count: number, prefix = 'q'): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({ id: `${prefix}-${index}`, model: 'gemini-2.5-flash', messages: [{ role: 'user' as const, content: `Question ${index}` }], maxTokens: 20 }));
}

const endpoints = (emulator: MockProviderServer, endpoint: string) => emulator.journal.filter((entry) => entry.endpoint === endpoint);

describe('geminiBatch end to end through @google/genai', () => {
  it('runs a 30-request inline job: results in input order, usage summed, no file uploaded', async () => {
    const emulator = await start({ respond: (request) => ({ text: `echo ${request.batch?.customId ?? ''}`, usage: { inputTokens: 7, outputTokens: 3 } }) });
    const summary = await clientFor(emulator).run(makeRequests(30));
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ total: 30, succeeded: 30 });
    expect(summary.results.map((result) => result.id)).toEqual(makeRequests(30).map((request) => request.id));
    expect(summary.results.map((result) => (result.status === 'succeeded' ? result.text : ''))).toEqual(makeRequests(30).map((request) => `echo ${request.id}`));
    expect(summary.usage).toMatchObject({ inputTokens: 210, outputTokens: 90 });
    expect(endpoints(emulator, 'gemini.files.upload')).toHaveLength(0);
    expect(emulator.stats().batchesCreated.gemini).toBe(1);
  });

  it('runs a file job in more than one part through the Files API and deletes the files after', async () => {
    // Scaled down here (the full 60,000 requests run in test/reliability/gemini-large-file-job.test.ts): a small part limit instead.
    const emulator = await start({ batch: { validatingMs: 5, processingMs: 50 } });
    const provider = adapter(emulator, { inlineMaxBytes: 1, maxRequestsPerPart: 40 });
    const summary = await clientFor(emulator, provider).run(makeRequests(100));
    expect(summary.counts).toMatchObject({ total: 100, succeeded: 100 });
    expect(emulator.stats().batchesCreated.gemini).toBe(3);
    expect(endpoints(emulator, 'gemini.files.upload').length).toBeGreaterThanOrEqual(3);
    expect(endpoints(emulator, 'gemini.files.download')).toHaveLength(3);
    expect(summary.results.map((result) => result.id)).toEqual(makeRequests(100).map((request) => request.id));
    // Input and responses files of each part.
    expect(endpoints(emulator, 'gemini.files.delete')).toHaveLength(6);
  });

  it('reports mixed outcomes: success, a per-line error classified, and a safety block as content_filter', async () => {
    const emulator = await start({
      respond: (request) => {
        const key = request.batch?.customId;
        if (key === 'q-1') return { status: 400, error: { message: 'Invalid value at contents[0]' } };
        if (key === 'q-2') return { status: 503, error: { message: 'The model is overloaded' } };
        if (key === 'q-3') return { finishReason: 'content_filter' };
        return undefined;
      },
    });
    const client = clientFor(emulator);
    const summary = await client.run(makeRequests(4));
    expect(summary.results.map((result) => [result.id, result.status, result.status === 'failed' ? result.error.category : ''])).toEqual([
      ['q-0', 'succeeded', ''],
      ['q-1', 'failed', 'invalid_request'],
      ['q-2', 'failed', 'server'],
      ['q-3', 'failed', 'content_filter'],
    ]);
    const overloaded = summary.results[2];
    expect(overloaded?.status === 'failed' && overloaded.error.retryable).toBe(true);
  });

  it('ends every request of an expired job expired', async () => {
    const emulator = await start({ batch: { validatingMs: 5, processingMs: { perRequest: 20 } }, batchFaults: { expireRate: 1 } });
    const summary = await clientFor(emulator).run(makeRequests(6));
    expect(summary.status).toBe('expired');
    expect(summary.counts).toMatchObject({ total: 6, expired: 6, succeeded: 0 });
  });

  it('cancels a running job: its requests end cancelled', async () => {
    const emulator = await start({ batch: { validatingMs: 5, processingMs: { perRequest: 50 }, cancellingMs: 10 } });
    const client = clientFor(emulator);
    const job = await client.submit(makeRequests(40));
    await client.cancel(job.id);
    const done = await client.wait(job.id);
    expect(done.status).toBe('cancelled');
    expect(done.counts).toMatchObject({ cancelled: 40, pending: 0 });
    expect(endpoints(emulator, 'gemini.batches.cancel')).toHaveLength(1);
  });

  it('finds the job after a crash between create and checkpoint instead of creating a second one', async () => {
    const emulator = await start({ batch: { validatingMs: 5, processingMs: 200 } });
    const store = memoryStore();
    const real = adapter(emulator);
    // The process "dies" right after the create call returned, before the client could store its name.
    const crashing: BatchProvider = {
      ...real,
      submit: async (part, context) => {
        await real.submit(part, context);
        throw new Error('simulated crash after create');
      },
    };
    const first = createBatchClient({ provider: crashing, store, pollIntervalMs: 10 });
    await expect(first.submit(makeRequests(4))).rejects.toThrow(/simulated crash/);
    const [stored] = await store.listJobs();
    expect(stored?.parts[0]?.submitState).toBe('submitting');

    const second = createBatchClient({ provider: adapter(emulator), store, pollIntervalMs: 10, maxPollIntervalMs: 50 });
    const resumed = await second.resume(stored?.id ?? '');
    expect(resumed.parts[0]?.providerBatchId).toMatch(/^batches\//);
    const done = await second.wait(resumed.id);
    expect(done.counts.succeeded).toBe(4);
    expect(emulator.stats().batchesCreated.gemini).toBe(1);
  });

  it('runs the example requests file, and the same requests as OpenAI batch lines, unchanged', async () => {
    const emulator = await start({ journalBodies: true });
    const text = await readFile(join(import.meta.dirname, '../../../examples/requests.jsonl'), 'utf8');
    const requests = text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as BatchRequest);
    // The file names an OpenAI model: no OpenAI tokenizer is loaded for its estimate here.
    const summary = await clientFor(emulator).run(requests, { exactTokens: false });
    expect(summary.counts).toMatchObject({ total: requests.length, succeeded: requests.length });

    const lines: BatchRequestInput[] = requests.map((request) => toOpenAIBatchLine(request, { endpoint: '/v1/chat/completions' }));
    const fromLines = await clientFor(emulator).run(lines, { exactTokens: false });
    expect(fromLines.counts).toMatchObject({ total: requests.length, succeeded: requests.length });
    const created = endpoints(emulator, 'gemini.batches.create').at(-1)?.body as { batch: { inputConfig: { requests: { requests: Array<{ request: Record<string, unknown> }> } } } };
    const first = created.batch.inputConfig.requests.requests[0]?.request;
    expect(first).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'I was charged twice for my March subscription.' }] }],
      systemInstruction: { parts: [{ text: 'You triage customer support tickets. Answer with one word: billing, bug, account or other.' }] },
      generationConfig: { maxOutputTokens: 64 },
    });
  });

  it('refuses what Gemini cannot express before any call, naming every bad request', async () => {
    const emulator = await start();
    const requests: BatchRequest[] = [
      ...makeRequests(1),
      { id: 'too-many-stops', model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }], stop: ['1', '2', '3', '4', '5', '6'] },
      { id: 'openai-only', model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }], providerOptions: { openai: { logit_bias: { 1: 1 } } } },
    ];
    await expect(clientFor(emulator).submit(requests)).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [
        { index: 1, id: 'too-many-stops', field: 'stop' },
        { index: 2, id: 'openai-only', field: 'providerOptions.openai.logit_bias' },
      ],
    });
    expect(emulator.journal.filter((entry) => entry.provider === 'gemini')).toHaveLength(0);
  });
});
