import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeBatchBackend, fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { emulated } from '../../src/adapters/emulated/emulated-adapter.js';
import { createBatchClient, type BatchClient } from '../../src/client/create-batch-client.js';
import { JobLeasedError } from '../../src/errors/job-leased-error.js';
import { AbortError } from '../../src/errors/abort-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchJob } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchProvider } from '../../src/provider/batch-provider.js';
import type { CallStrategy } from '../../src/provider/call-strategy.js';
import { fileStore } from '../../src/store/file-store.js';
import type { BatchStore } from '../../src/store/batch-store.js';

const requests = (count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `item_${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `prompt ${index}` }] }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A call strategy that answers after `latencyMs` (abortable) and counts the calls it started. */
function slowCalls(latencyMs: number): CallStrategy & { started: string[]; answered: string[] } {
  const started: string[] = [];
  const answered: string[] = [];
  return {
    name: 'slow',
    started,
    answered,
    call: (request, context) =>
      new Promise((resolve, reject) => {
        started.push(request.id);
        const timer = setTimeout(() => {
          answered.push(request.id);
          resolve({ text: `answer to ${request.id}`, finishReason: 'stop', usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 }, model: 'gpt-5.4-mini' });
        }, latencyMs);
        context.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(context.signal.reason);
        });
      }),
  };
}

async function storeIn(): Promise<BatchStore> {
  return fileStore({ dir: await mkdtemp(join(tmpdir(), 'llm-batch-driver-')) });
}

async function journal(client: BatchClient, jobId: string): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for await (const result of client.results(jobId, { order: 'completion' })) results.push(result);
  return results;
}

describe('one driver per job', () => {
  it('refuses a second client that would resume a running emulated job, naming the holder; reading needs no lease', async () => {
    const store = await storeIn();
    const calls = slowCalls(30);
    const driver = createBatchClient({ provider: emulated({ call: calls, concurrency: 4 }), store });
    const other = createBatchClient({ provider: emulated({ call: slowCalls(1), concurrency: 4 }), store, lease: { waitMs: 0 } });
    const job = await driver.submit(requests(60));
    const refused = await other.resume(job.id).catch((error: unknown) => error);
    expect(JobLeasedError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toContain(`pid ${process.pid}`);
    // Status from the other client is the stored job, without polling or taking the lease.
    const seen = await other.status(job.id);
    expect(seen.id).toBe(job.id);
    // Its wait follows the driver through the store.
    const followed = await other.wait(job.id, { pollIntervalMs: 20 });
    expect(followed.status).toBe('completed');
    expect(followed.counts.succeeded).toBe(60);
    expect(calls.started).toHaveLength(60);
    const results = await journal(other, job.id);
    expect(new Set(results.map((result) => result.id)).size).toBe(60);
    await driver.close();
    await other.close();
  });

  it('stops a live emulated run when another client cancels it: no item both succeeded and cancelled, retry never re-runs a success', async () => {
    const store = await storeIn();
    const calls = slowCalls(40);
    const concurrency = 4;
    const driver = createBatchClient({ provider: emulated({ call: calls, concurrency }), store });
    const job = await driver.submit(requests(200));
    const waiting = driver.wait(job.id, { pollIntervalMs: 50 });
    await sleep(300);
    const other = createBatchClient({ provider: emulated({ call: slowCalls(1), concurrency }), store });
    const requested = await other.cancel(job.id);
    expect(requested.cancelRequestedAt).toBeDefined();
    const startedAtCancel = calls.started.length;
    const ended = await waiting;
    expect(ended.status).toBe('cancelled');
    // Seen within a check (250 ms): at most a few rounds of calls started after the request.
    expect(calls.started.length - startedAtCancel).toBeLessThanOrEqual(concurrency * 8);
    expect(calls.started.length).toBeLessThan(200);
    const results = await journal(other, job.id);
    const byId = new Map<string, string[]>();
    for (const result of results) byId.set(result.id, [...(byId.get(result.id) ?? []), result.status]);
    expect([...byId.values()].every((statuses) => statuses.length === 1)).toBe(true);
    expect(byId.size).toBe(200);
    const succeededIds = results.filter((result) => result.status === 'succeeded').map((result) => result.id);
    expect(ended.counts.succeeded).toBe(succeededIds.length);
    expect(ended.counts.cancelled).toBe(200 - succeededIds.length);
    const status = await other.status(job.id);
    expect(status.counts).toEqual(ended.counts);
    // Retry takes only what did not succeed.
    const retried = await other.retry(job.id);
    expect(retried.counts.total).toBe(200 - succeededIds.length);
    const retriedIds: string[] = [];
    for await (const result of other.results(retried.id)) retriedIds.push(result.id);
    await other.wait(retried.id, { pollIntervalMs: 20 });
    const again = new Set(await journal(other, retried.id).then((list) => list.map((result) => result.id)));
    for (const id of succeededIds) expect(again.has(id)).toBe(false);
    await driver.close();
    await other.close();
  });

  it('close() interrupts a run: calls in flight stay pending, and a resume finishes each item exactly once', async () => {
    const store = await storeIn();
    const calls = slowCalls(50);
    const first = createBatchClient({ provider: emulated({ call: calls, concurrency: 8 }), store });
    const job = await first.submit(requests(100));
    await sleep(200);
    await first.close();
    const startedAtClose = calls.started.length;
    await sleep(150);
    expect(calls.started.length).toBe(startedAtClose);
    const second = createBatchClient({ provider: emulated({ call: slowCalls(1), concurrency: 8 }), store, lease: { waitMs: 0 } });
    const journaledBefore: BatchResult[] = [];
    for await (const result of store.readResults(job.id)) journaledBefore.push(result);
    // Only answered calls were journaled; the aborted ones are not `cancelled` results.
    expect(journaledBefore).toHaveLength(calls.answered.length);
    expect(journaledBefore.every((result) => result.status === 'succeeded')).toBe(true);
    await second.resume(job.id);
    const done = await second.wait(job.id, { pollIntervalMs: 20 });
    expect(done.status).toBe('completed');
    expect(done.counts.succeeded).toBe(100);
    const results = await journal(second, job.id);
    expect(results).toHaveLength(100);
    expect(new Set(results.map((result) => result.id)).size).toBe(100);
    await second.close();
  });

  it('two clients resuming one native job whose parts were never created create each batch once', async () => {
    const store = await storeIn();
    const backend = createFakeBatchBackend();
    let interrupt = true;
    // A provider whose creates are slow enough for two resumes to overlap, and whose first submit
    // is cut short as by a crash before the create: every part is left to be submitted by resume.
    const provider = (): BatchProvider => {
      const inner = fakeBatchProvider({ backend, limits: { maxRequests: 10 } });
      return {
        ...inner,
        async submit(part, context) {
          if (interrupt) throw new AbortError();
          await sleep(50);
          return inner.submit(part, context);
        },
      };
    };
    const first = createBatchClient({ provider: provider(), store, lease: { waitMs: 0 } });
    await first.submit(requests(30)).catch(() => undefined);
    const [stored] = await store.listJobs();
    expect(stored!.parts.every((part) => part.submitState !== 'submitted')).toBe(true);
    interrupt = false;
    // The first client keeps the lease a moment after its last operation; closing it gives it up.
    await first.close();
    const a = createBatchClient({ provider: provider(), store, lease: { waitMs: 0 } });
    const b = createBatchClient({ provider: provider(), store, lease: { waitMs: 0 } });
    const outcomes = await Promise.allSettled([a.resume(stored!.id), b.resume(stored!.id)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(JobLeasedError.isInstance(refused?.reason)).toBe(true);
    expect(backend.created).toBe(3);
    const done = await a.wait(stored!.id, { pollIntervalMs: 1 });
    expect(done.counts.succeeded).toBe(30);
    for (const client of [a, b]) await client.close();
  });
});

describe('retry', () => {
  it('retries a job once: a second retry, at once or later, is refused naming the retry job', async () => {
    const store = await storeIn();
    const client = createBatchClient({ provider: emulated({ call: slowCalls(20), concurrency: 2 }), store, pollIntervalMs: 20 });
    const job = await client.submit(requests(40));
    await sleep(100);
    await client.cancel(job.id);
    const ended = await client.wait(job.id);
    expect(ended.counts.cancelled).toBeGreaterThan(0);
    const outcomes = await Promise.allSettled([client.retry(job.id), client.retry(job.id)]);
    const made = outcomes.filter((outcome): outcome is PromiseFulfilledResult<BatchJob> => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const retryJob = made[0]!.value;
    expect(retryJob.counts.total).toBe(ended.counts.cancelled);
    expect((refused[0]!.reason as { code?: string }).code).toBe('already_retried');
    expect((refused[0]!.reason as Error).message).toMatch(new RegExp(`already retried as ${retryJob.id}|being retried right now`));
    await client.wait(retryJob.id);
    const later = await client.retry(job.id).catch((error: unknown) => error);
    expect((later as { code?: string }).code).toBe('already_retried');
    expect((later as Error).message).toContain(`already retried as ${retryJob.id}`);
    expect((await client.status(job.id)).retriedBy).toBe(retryJob.id);
    await client.close();
  });
});

describe('deadlines and bounds', () => {
  it('a hanging status call cannot outlast wait({ timeoutMs }), nor can the pause between polls', async () => {
    const hanging: BatchProvider = {
      name: 'hanging',
      mode: 'native',
      limits: { maxRequests: 100, maxBytes: 1e9, oneModelPerPart: false },
      async submit() {
        return { id: 'batch_1' };
      },
      poll: (_reference, context) =>
        new Promise((_resolve, reject) => context.signal?.addEventListener('abort', () => reject(context.signal?.reason))),
      async *results() {},
      async cancel() {},
    };
    const client = createBatchClient({ provider: hanging, store: await storeIn() });
    const job = await client.submit(requests(2));
    const started = Date.now();
    await expect(client.wait(job.id, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'wait_timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.close();
  });

  it('refuses poll intervals and timeouts that are not finite, positive numbers, showing them as written', async () => {
    const store = await storeIn();
    expect(() => createBatchClient({ provider: fakeBatchProvider(), store, pollIntervalMs: 0 })).toThrow(/createBatchClient\(\): option "pollIntervalMs" must be a number from 1 to 86,400,000, got 0/);
    expect(() => createBatchClient({ provider: fakeBatchProvider(), store, pollIntervalMs: Number.NaN })).toThrow(/got NaN/);
    expect(() => createBatchClient({ provider: fakeBatchProvider(), store, maxPollIntervalMs: Infinity })).toThrow(/got Infinity/);
    expect(() => createBatchClient({ provider: fakeBatchProvider(), store, lease: { ttlMs: 5 } })).toThrow(/"lease.ttlMs"/);
    expect(() => createBatchClient({ provider: fakeBatchProvider(), store, lease: { wait: 5 } as never })).toThrow(/unknown option 'lease.wait'/);
    const client = createBatchClient({ provider: fakeBatchProvider(), store });
    const job = await client.submit(requests(1));
    await expect(client.wait(job.id, { pollIntervalMs: Number.NaN })).rejects.toThrow(/wait\(\): option "pollIntervalMs" .* got NaN/);
    await expect(client.wait(job.id, { timeoutMs: -1 })).rejects.toThrow(/got -1/);
    await client.close();
  });
});

describe('a submission that fails', () => {
  it('marks the part failed with the redacted reason and the next step; resume submits it again', async () => {
    const key = 'gsk_0123456789abcdefghijklmnopqrstuv';
    let refuse = true;
    const backend = createFakeBatchBackend();
    const inner = fakeBatchProvider({ backend });
    const flaky: BatchProvider = {
      ...inner,
      async submit(part, context) {
        if (refuse) throw Object.assign(new Error(`401 Incorrect API key provided: ${key}`), { status: 401 });
        return inner.submit(part, context);
      },
    };
    const store = await storeIn();
    const client = createBatchClient({ provider: flaky, store, pollIntervalMs: 1, maxPollIntervalMs: 5 });
    const failure = await client.submit(requests(3)).catch((error: unknown) => error);
    expect((failure as Error).message).not.toContain(key);
    expect((failure as { category?: string }).category).toBe('auth');
    const [stored] = await store.listJobs();
    expect(stored!.status).toBe('failed');
    expect(stored!.parts[0]).toMatchObject({ status: 'failed', submitState: 'submitting' });
    expect(stored!.parts[0]!.error).toContain('The submission failed: ');
    expect(stored!.parts[0]!.error).toContain(`llm-batch resume ${stored!.id}`);
    expect(JSON.stringify(stored)).not.toContain(key);
    await expect(client.wait(stored!.id)).rejects.toMatchObject({ code: 'job_interrupted' });
    refuse = false;
    await client.resume(stored!.id);
    const done = await client.wait(stored!.id);
    expect(done.status).toBe('completed');
    expect(done.counts.succeeded).toBe(3);
    expect(backend.created).toBe(1);
    await client.close();
  });
});
