import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicBatch } from '../../../src/adapters/anthropic/anthropic-batch-adapter.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import { readJsonlFile } from '../../../src/jsonl/decode-jsonl.js';
import type { BatchRequestInput } from '../../../src/models/batch-request.js';
import type { BatchProvider } from '../../../src/provider/batch-provider.js';
import { fileStore } from '../../../src/store/file-store.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import type { MockProviderServer, MockProviderServerOptions } from '../../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../../support/emulator.js';
import { makeRequests } from './anthropic-test-helpers.js';

const emulators = emulatorPerTest();
const cleanups: (() => Promise<void>)[] = [];

function start(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  return emulators.start({ batch: { processingMs: 50, cancellingMs: 10 }, ...options });
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const clientFor = (emulator: MockProviderServer, provider?: BatchProvider) =>
  createBatchClient({
    provider: provider ?? anthropicBatch({ apiKey: 'test-key', baseURL: emulator.url }),
    store: memoryStore(),
    pollIntervalMs: 10,
    maxPollIntervalMs: 50,
  });

describe('anthropicBatch end to end through the client', () => {
  it('runs a job to completion with texts, usage and counts', async () => {
    const emulator = await start({ respond: (request) => ({ text: `echo ${request.batch?.customId ?? ''}`, usage: { inputTokens: 9, outputTokens: 2 } }) });
    const summary = await clientFor(emulator).run(makeRequests(5));
    expect(summary.status).toBe('completed');
    expect(summary.counts).toEqual({ total: 5, succeeded: 5, failed: 0, cancelled: 0, expired: 0, pending: 0 });
    expect(summary.results.map((result) => (result.status === 'succeeded' ? result.text : result.status))).toEqual(
      ['r-0', 'r-1', 'r-2', 'r-3', 'r-4'].map((id) => `echo ${id}`),
    );
    expect(summary.usage).toMatchObject({ inputTokens: 45, outputTokens: 10 });
  });

  it('reports errored items by category next to succeeded ones', async () => {
    const emulator = await start({
      respond: (request) => {
        const id = request.batch?.customId;
        if (id === 'r-1') return { status: 400, error: { type: 'invalid_request_error', message: 'bad' } };
        if (id === 'r-2') return { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } };
        return undefined;
      },
    });
    const client = clientFor(emulator);
    const summary = await client.run(makeRequests(3));
    expect(summary.counts).toMatchObject({ succeeded: 1, failed: 2 });
    const errors = await client.errors(summary.jobId);
    expect(errors.map((result) => [result.id, result.status === 'failed' ? result.error.category : result.status])).toEqual([
      ['r-1', 'invalid_request'],
      ['r-2', 'overloaded'],
    ]);
  });

  it('reports the requests of an expired batch as expired and the job as expired', async () => {
    const emulator = await start({ batch: { processingMs: { perRequest: 20 } }, batchFaults: { expireRate: 1 } });
    const summary = await clientFor(emulator).run(makeRequests(6));
    expect(summary.status).toBe('expired');
    expect(summary.counts.expired).toBeGreaterThan(0);
    expect(summary.counts.succeeded + summary.counts.expired).toBe(6);
  });

  it('reports cancelled requests after a cancel', async () => {
    const emulator = await start({ batch: { processingMs: { perRequest: 50 }, cancellingMs: 10 } });
    const client = clientFor(emulator);
    const job = await client.submit(makeRequests(40));
    await client.cancel(job.id);
    const done = await client.wait(job.id);
    expect(done.status).toBe('cancelled');
    expect(done.counts.cancelled).toBeGreaterThan(0);
    expect(done.counts.pending).toBe(0);
  });

  it('reports a request whose result line is missing instead of dropping it', async () => {
    const emulator = await start({ batchFaults: { dropLineRate: 0.5 }, seed: 3 });
    const summary = await clientFor(emulator).run(makeRequests(10));
    expect(summary.results).toHaveLength(10);
    expect(summary.counts.failed).toBeGreaterThan(0);
    expect(summary.counts.succeeded + summary.counts.failed).toBe(10);
  });

  it('runs a job that mixes models in one batch', async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    const requests = [
      ...makeRequests(2, 'haiku', { model: 'claude-haiku-4-5' }),
      ...makeRequests(2, 'sonnet', { model: 'claude-sonnet-4-5' }),
    ];
    const summary = await client.run(requests);
    const job = await client.status(summary.jobId);
    expect(job.parts).toHaveLength(1);
    expect(summary.results.map((result) => (result.status === 'succeeded' ? result.model : result.status))).toEqual([
      'claude-haiku-4-5',
      'claude-haiku-4-5',
      'claude-sonnet-4-5',
      'claude-sonnet-4-5',
    ]);
  });

  it('runs an OpenAI batch JSONL file on Anthropic unchanged', async () => {
    const emulator = await start({ journalBodies: true });
    const directory = await mkdtemp(join(tmpdir(), 'llm-batch-anthropic-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const file = join(directory, 'openai-requests.jsonl');
    const lines = [
      { custom_id: 'ask-1', method: 'POST', url: '/v1/chat/completions', body: { model: 'claude-haiku-4-5', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Capital of France?' }], max_tokens: 30, stop: ['\n\n'] } },
      { custom_id: 'ask-2', method: 'POST', url: '/v1/chat/completions', body: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Capital of Italy?' }], max_completion_tokens: 40, temperature: 0.3 } },
    ];
    await writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');

    async function* input(): AsyncGenerator<BatchRequestInput> {
      for await (const { value } of readJsonlFile(file)) yield value as BatchRequestInput;
    }
    const summary = await clientFor(emulator).run(input());
    expect(summary.counts.succeeded).toBe(2);
    expect(summary.results.map((result) => result.id)).toEqual(['ask-1', 'ask-2']);
    const create = emulator.journal.find((entry) => entry.endpoint === 'messages.batches.create');
    const sent = (create?.body as { requests: { custom_id: string; params: Record<string, unknown> }[] }).requests;
    expect(sent[0]).toEqual({
      custom_id: 'ask-1',
      params: {
        model: 'claude-haiku-4-5',
        max_tokens: 30,
        system: 'Be terse.',
        stop_sequences: ['\n\n'],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }],
      },
    });
    expect(sent[1]?.params).toMatchObject({ max_tokens: 40, temperature: 0.3 });
  });

  it('resumes a persisted job from a new client and attaches to the same batch', async () => {
    const emulator = await start({ batch: { processingMs: 300 } });
    const directory = await mkdtemp(join(tmpdir(), 'llm-batch-anthropic-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const first = createBatchClient({ provider: anthropicBatch({ apiKey: 'test-key', baseURL: emulator.url }), store: fileStore({ dir: directory }), pollIntervalMs: 10 });
    const job = await first.submit(makeRequests(3));

    const second = createBatchClient({ provider: anthropicBatch({ apiKey: 'test-key', baseURL: emulator.url }), store: fileStore({ dir: directory }), pollIntervalMs: 10, maxPollIntervalMs: 50 });
    const resumed = await second.resume(job.id);
    expect(resumed.parts[0]?.providerBatchId).toBe(job.parts[0]?.providerBatchId);
    const done = await second.wait(job.id);
    expect(done.counts.succeeded).toBe(3);
    expect(emulator.stats().batchesCreated.anthropic).toBe(1);
  });

  it('finds the batch after a crash between create and the store write, without creating another', async () => {
    const emulator = await start({ batch: { processingMs: 300 } });
    const store = memoryStore();
    const real = anthropicBatch({ apiKey: 'test-key', baseURL: emulator.url });
    // The process "dies" right after the create call returned, before the client could store the id.
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

    const second = createBatchClient({ provider: anthropicBatch({ apiKey: 'test-key', baseURL: emulator.url }), store, pollIntervalMs: 10, maxPollIntervalMs: 50 });
    const resumed = await second.resume(stored?.id ?? '');
    expect(resumed.parts[0]?.providerBatchId).toMatch(/^msgbatch_/);
    const done = await second.wait(resumed.id);
    expect(done.counts.succeeded).toBe(4);
    expect(emulator.stats().batchesCreated.anthropic).toBe(1);
  });
});
