import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, GoogleGenAI, JobState, type InlinedRequest } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockProviderServer, MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../support/emulator.js';

const emulators = emulatorPerTest();
const temporaryDirectories: string[] = [];

afterEach(async () => {
  for (const directory of temporaryDirectories.splice(0)) await rm(directory, { recursive: true, force: true });
});

async function start(options: MockProviderServerOptions = {}): Promise<{ server: MockProviderServer; ai: GoogleGenAI }> {
  const server = await emulators.start({ ...options, batch: { clock: 'manual', validatingMs: 100, processingMs: 1000, ...options.batch } });
  return { server, ai: new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } }) };
}

function inlineRequests(count: number): InlinedRequest[] {
  return Array.from({ length: count }, (_, index) => ({ contents: [{ role: 'user', parts: [{ text: `Question number ${index}` }] }], metadata: { key: `item-${index}` } }));
}

function jsonl(count: number): string {
  return Array.from({ length: count }, (_, index) => JSON.stringify({ key: `line-${index}`, request: { contents: [{ parts: [{ text: `Line ${index}` }] }], generation_config: { max_output_tokens: 64 } } })).join('\n');
}

describe('Gemini Batch Mode through @google/genai', () => {
  it('runs an inline job: pending, running with growing counts, succeeded with responses in input order', async () => {
    const { server, ai } = await start();
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(30), config: { displayName: 'part-0001' } });
    expect(job.name).toMatch(/^batches\/[a-z0-9]+$/);
    expect(job.state).toBe(JobState.JOB_STATE_PENDING);
    expect(job.displayName).toBe('part-0001');
    expect(job.model).toBe('models/gemini-2.5-flash');
    await server.advance(600);
    const running = await ai.batches.get({ name: job.name ?? '' });
    expect(running.state).toBe(JobState.JOB_STATE_RUNNING);
    const raw = (await server.getBatch(job.name ?? '')) as { metadata: { batchStats: Record<string, string>; state: string }; done: boolean };
    expect(raw.metadata.state).toBe('BATCH_STATE_RUNNING');
    expect(raw.done).toBe(false);
    expect(Number(raw.metadata.batchStats.successfulRequestCount)).toBe(15);
    expect(raw.metadata.batchStats.pendingRequestCount).toBe('15');
    await server.advance(600);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(done.endTime).toBeTruthy();
    const responses = done.dest?.inlinedResponses ?? [];
    expect(responses.map((response) => response.metadata?.key)).toEqual(Array.from({ length: 30 }, (_, index) => `item-${index}`));
    expect(responses[0]?.response?.candidates?.[0]?.content?.parts?.[0]?.text).toMatch(/\.$/);
    expect(responses[0]?.response?.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    const wire = (await server.getBatch(job.name ?? '')) as { response: { '@type': string; inlinedResponses: { inlinedResponses: unknown[] } }; metadata: { '@type': string } };
    expect(wire.response['@type']).toContain('GenerateContentBatchOutput');
    expect(wire.response.inlinedResponses.inlinedResponses).toHaveLength(30);
    expect(wire.metadata['@type']).toContain('GenerateContentBatch');
    expect(server.stats().batchesCreated.gemini).toBe(1);
  });

  it('reports per-line errors and safety blocks drawn at their rates', async () => {
    const { server, ai } = await start({ batchFaults: { itemErrorRate: 0.2, safetyBlockRate: 0.2 } });
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(50) });
    await server.advance(2000);
    const done = await ai.batches.get({ name: job.name ?? '' });
    const responses = done.dest?.inlinedResponses ?? [];
    const errors = responses.filter((response) => response.error !== undefined);
    const blocked = responses.filter((response) => response.response?.promptFeedback?.blockReason === 'SAFETY');
    expect(errors.length).toBeGreaterThan(2);
    expect(blocked.length).toBeGreaterThan(2);
    expect(errors[0]?.error).toMatchObject({ code: 500, status: 'INTERNAL' });
    expect(errors.every((response) => response.metadata?.key !== undefined)).toBe(true);
    const wire = (await server.getBatch(job.name ?? '')) as { metadata: { batchStats: Record<string, string> } };
    expect(Number(wire.metadata.batchStats.failedRequestCount)).toBe(errors.length);
    expect(Number(wire.metadata.batchStats.successfulRequestCount)).toBe(50 - errors.length);
  });

  it('runs a file job of 2,000 lines: upload, create, responses file downloaded with every key in order', async () => {
    const { server, ai } = await start({ batch: { processingMs: { perRequest: 1 } } });
    const uploaded = await ai.files.upload({ file: new Blob([jsonl(2000)], { type: 'application/jsonl' }), config: { mimeType: 'application/jsonl', displayName: 'input.jsonl' } });
    expect(uploaded.name).toMatch(/^files\//);
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: uploaded.name ?? '', config: { displayName: 'file-part' } });
    await server.advance(2200);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const responsesFile = done.dest?.fileName ?? '';
    expect(responsesFile).toMatch(/^files\/batch-/);
    const directory = await mkdtemp(join(tmpdir(), 'gemini-batch-'));
    temporaryDirectories.push(directory);
    const path = join(directory, 'responses.jsonl');
    await ai.files.download({ file: responsesFile, downloadPath: path });
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { key: string; response?: { candidates: unknown[] } });
    expect(lines).toHaveLength(2000);
    expect(lines.map((line) => line.key)).toEqual(Array.from({ length: 2000 }, (_, index) => `line-${index}`));
    expect(lines.every((line) => Array.isArray(line.response?.candidates))).toBe(true);
    expect(server.journal.some((entry) => entry.endpoint === 'gemini.files.download' && entry.status === 200)).toBe(true);
  });

  it('lists jobs newest first with paging, finds one by displayName, cancels and deletes', async () => {
    const { server, ai } = await start();
    const first = await ai.batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(3), config: { displayName: 'job-a' } });
    const second = await ai.batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(3), config: { displayName: 'job-b' } });
    // Not idempotent: the same job created again is a second job.
    const third = await ai.batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(3), config: { displayName: 'job-b' } });
    expect(third.name).not.toBe(second.name);
    const seen: string[] = [];
    const pager = await ai.batches.list({ config: { pageSize: 2 } });
    for await (const job of pager) seen.push(job.displayName ?? '');
    expect(seen).toEqual(['job-b', 'job-b', 'job-a']);
    await ai.batches.cancel({ name: first.name ?? '' });
    await server.advance(150);
    const cancelled = await ai.batches.get({ name: first.name ?? '' });
    expect(cancelled.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect(cancelled.dest).toBeUndefined();
    await ai.batches.delete({ name: second.name ?? '' });
    await expect(ai.batches.get({ name: second.name ?? '' })).rejects.toSatisfy((error: unknown) => error instanceof ApiError && error.status === 404);
    expect(server.stats().batchesCreated.gemini).toBe(3);
    const summaries = await server.batches();
    expect(summaries.filter((summary) => summary.provider === 'gemini').map((summary) => [summary.id, summary.status])).toEqual([
      [first.name, 'BATCH_STATE_CANCELLED'],
      [third.name, 'BATCH_STATE_RUNNING'],
    ]);
  });

  it('expires a job still running after its window with no results', async () => {
    const { server, ai } = await start({ batch: { processingMs: { perRequest: 3_600_000 } } });
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(100) });
    await server.advance(47 * 3_600_000);
    expect((await ai.batches.get({ name: job.name ?? '' })).state).toBe(JobState.JOB_STATE_RUNNING);
    await server.advance(2 * 3_600_000);
    const expired = await ai.batches.get({ name: job.name ?? '' });
    expect(expired.state).toBe(JobState.JOB_STATE_EXPIRED);
    expect(expired.dest).toBeUndefined();
    const forced = await new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.url, headers: { 'x-mock-fault': 'expire' } } }).batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(4) });
    await server.advance(2 * 3_600_000);
    expect((await ai.batches.get({ name: forced.name ?? '' })).state).toBe(JobState.JOB_STATE_RUNNING);
    await server.advance(3_600_000);
    expect((await ai.batches.get({ name: forced.name ?? '' })).state).toBe(JobState.JOB_STATE_EXPIRED);
  });

  it('fails a job with the fail-validation fault and refuses bad input before creating anything', async () => {
    const { server } = await start();
    const failing = await new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: server.url, headers: { 'x-mock-fault': 'fail-validation' } } }).batches.create({ model: 'gemini-2.5-flash', src: inlineRequests(2) });
    await server.advance(200);
    const failed = (await server.getBatch(failing.name ?? '')) as { metadata: { state: string }; error: { code: number } };
    expect(failed.metadata.state).toBe('BATCH_STATE_FAILED');
    expect(failed.error.code).toBe(400);
    const missing = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { inputConfig: { fileName: 'files/nothing-here' } } }),
    });
    expect(missing.status).toBe(403);
    const bad = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ batch: { inputConfig: { requests: { requests: [{ request: { contents: [] } }, { metadata: { key: 'x' } }] } } } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string; status: string } }).error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringContaining('requests[1].request') });
    expect(server.stats().batchesCreated.gemini).toBe(1);
  });
});
