import { describe, expect, it } from 'vitest';
import { createFakeBatchBackend, fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { JobNotFoundError } from '../../src/errors/job-not-found-error.js';
import { LlmBatchError } from '../../src/errors/llm-batch-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchProvider } from '../../src/provider/batch-provider.js';
import { noRetry } from '../../src/retry/no-retry.js';
import { memoryStore } from '../../src/store/memory-store.js';

const request = (id: string, text = 'hello'): BatchRequest => ({ id, model: 'm', messages: [{ role: 'user', content: text }] });

/** A provider whose results are scripted per test. */
function scriptedProvider(results: (ids: string[]) => BatchResult[], status: 'completed' | 'expired' | 'cancelled' = 'completed'): BatchProvider {
  const batches = new Map<string, string[]>();
  return {
    name: 'scripted',
    mode: 'native',
    limits: { maxRequests: 100, maxBytes: 1e6, oneModelPerPart: false },
    async submit(part) {
      const ids: string[] = [];
      for await (const item of part.requests()) ids.push(item.id);
      const id = `b${batches.size}`;
      batches.set(id, ids);
      return { id };
    },
    async poll() {
      return { status, rawStatus: status };
    },
    async *results(reference) {
      yield* results(batches.get(String(reference.id)) ?? []);
    },
    async cancel() {},
  };
}

const ok = (id: string): BatchResult => ({
  id,
  status: 'succeeded',
  text: 't',
  finishReason: 'stop',
  usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 },
  model: 'm',
});

describe('createBatchClient', () => {
  it('reports a request with no result line as failed, never dropping it', async () => {
    const provider = scriptedProvider((ids) => ids.slice(1).map(ok));
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run([request('a'), request('b')]);
    expect(summary.results.map((result) => [result.id, result.status])).toEqual([
      ['a', 'failed'],
      ['b', 'succeeded'],
    ]);
    const missing = summary.results[0];
    expect(missing?.status === 'failed' && missing.error.category).toBe('unknown');
  });

  it('reports missing results of an expired part as expired', async () => {
    const provider = scriptedProvider((ids) => ids.slice(0, 1).map(ok), 'expired');
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run([request('a'), request('b'), request('c')]);
    expect(summary.status).toBe('expired');
    expect(summary.counts).toEqual({ total: 3, succeeded: 1, failed: 0, cancelled: 0, expired: 2, pending: 0 });
  });

  it('ignores results for unknown ids and duplicates, with a warning', async () => {
    const provider = scriptedProvider((ids) => [...ids.map(ok), ok('stranger'), ...ids.map(ok)]);
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run([request('a')]);
    expect(summary.results).toHaveLength(1);
    const job = await client.status(summary.jobId);
    expect(job.warnings.join('\n')).toContain('unknown id(s) "stranger"');
  });

  it('keeps every result when a results download breaks off mid-stream and is retried', async () => {
    let attempts = 0;
    const inner = scriptedProvider((ids) => ids.map(ok));
    const provider: BatchProvider = {
      ...inner,
      async *results(reference, context) {
        attempts++;
        let yielded = 0;
        for await (const result of inner.results(reference, context)) {
          if (attempts === 1 && yielded === 1_500) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          yielded++;
          yield result;
        }
      },
    };
    const client = createBatchClient({
      provider: { ...provider, limits: { ...inner.limits, maxRequests: 5_000 } },
      store: memoryStore(),
      pollIntervalMs: 1,
      retry: { shouldRetry: ({ attempt }) => attempt < 3, delayMs: () => 1 },
    });
    // 1,500 results arrive (one full journal batch of 1,000 written, 500 still buffered) before the cut.
    const summary = await client.run(Array.from({ length: 2_500 }, (_, index) => request(`m${index}`)));
    expect(attempts).toBe(2);
    expect(summary.counts).toMatchObject({ total: 2_500, succeeded: 2_500, failed: 0, pending: 0 });
    expect(new Set(summary.results.map((result) => result.id)).size).toBe(2_500);
  });

  it('sums usage over succeeded and failed results', async () => {
    const provider = scriptedProvider((ids) => ids.map(ok));
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run([request('a'), request('b')]);
    expect(summary.usage).toEqual({ inputTokens: 4, outputTokens: 6, totalTokens: 10 });
  });

  it('filters results by status and orders them by input or completion', async () => {
    const provider = fakeBatchProvider();
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const job = await client.submit([request('a'), request('b', '[fail]'), request('c')]);
    await client.wait(job.id);
    const failed: string[] = [];
    for await (const result of client.results(job.id, { only: ['failed'] })) failed.push(result.id);
    expect(failed).toEqual(['b']);
    const completion: string[] = [];
    for await (const result of client.results(job.id, { order: 'completion' })) completion.push(result.id);
    expect(completion).toEqual(['c', 'b', 'a']);
  });

  it('retries only retryable failures and cancelled items, as a new linked job', async () => {
    let round = 0;
    const provider = scriptedProvider((ids) => {
      round++;
      if (round > 1) return ids.map(ok);
      return [
        ok(ids[0] as string),
        { id: ids[1] as string, status: 'failed', error: { category: 'server', message: 'boom', retryable: true } },
        { id: ids[2] as string, status: 'failed', error: { category: 'invalid_request', message: 'bad', retryable: false } },
      ];
    });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const first = await client.run([request('a'), request('b'), request('c')]);
    const retried = await client.retry(first.jobId);
    expect(retried.retryOf).toBe(first.jobId);
    expect(retried.counts.total).toBe(1);
    const second = await client.aggregate((await client.wait(retried.id)).id);
    expect(second.results.map((result) => result.id)).toEqual(['b']);
  });

  it('refuses to retry a job with nothing retryable', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run([request('a')]);
    await expect(client.retry(summary.jobId)).rejects.toThrow(/no retryable items/);
  });

  it('cancels a job: partial results stay, the rest is cancelled', async () => {
    const provider = fakeBatchProvider({ pollsToComplete: 1_000 });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const job = await client.submit(Array.from({ length: 6 }, (_, index) => request(`x${index}`)));
    await client.cancel(job.id);
    const done = await client.wait(job.id);
    expect(done.status).toBe('cancelled');
    expect(done.counts).toMatchObject({ total: 6, succeeded: 3, cancelled: 3, pending: 0 });
  });

  it('throws JobNotFoundError for an unknown job', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() });
    const error = await client.status('job_nope').catch((caught: unknown) => caught);
    expect(JobNotFoundError.isInstance(error)).toBe(true);
    expect(LlmBatchError.isInstance(error)).toBe(true);
  });

  it('gives up waiting after timeoutMs without cancelling the job', async () => {
    const provider = fakeBatchProvider({ pollsToComplete: 1e9 });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 1 });
    const job = await client.submit([request('a')]);
    await expect(client.wait(job.id, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'wait_timeout' });
    expect((await client.status(job.id)).status).toBe('in_progress');
  });

  it('stops waiting at once when the signal aborts', async () => {
    const provider = fakeBatchProvider({ pollsToComplete: 1e9 });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 10_000 });
    const job = await client.submit([request('a')]);
    const controller = new AbortController();
    const waiting = client.wait(job.id, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
  });

  it('calls onProgress on every poll with the job', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider({ pollsToComplete: 3 }), store: memoryStore(), pollIntervalMs: 1 });
    const seen: string[] = [];
    await client.run([request('a')], { onProgress: (job) => seen.push(job.status) });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe('completed');
  });

  it('retries a failing status call, never the create call', async () => {
    const backend = createFakeBatchBackend();
    const inner = fakeBatchProvider({ backend });
    let pollFailures = 2;
    let submits = 0;
    const flaky: BatchProvider = {
      ...inner,
      name: inner.name,
      mode: inner.mode,
      limits: inner.limits,
      submit: async () => {
        submits++;
        throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
      },
      poll: async (...args) => {
        if (pollFailures-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return inner.poll(...args);
      },
    };
    const client = createBatchClient({ provider: flaky, store: memoryStore(), pollIntervalMs: 1 });
    await expect(client.submit([request('a')])).rejects.toThrow(/connection reset/);
    expect(submits).toBe(1);
    const working = createBatchClient({
      provider: { ...flaky, submit: inner.submit },
      store: memoryStore(),
      pollIntervalMs: 1,
      retry: { shouldRetry: ({ attempt }) => attempt < 5, delayMs: () => 1 },
    });
    const summary = await working.run([request('a')]);
    expect(summary.counts.succeeded).toBe(1);
    expect(pollFailures).toBeLessThan(0);
  });

  it('surfaces a status error when retries are off', async () => {
    const provider: BatchProvider = { ...fakeBatchProvider(), name: 'fake', mode: 'native', limits: fakeBatchProvider().limits, poll: async () => { throw new Error('down'); } };
    const client = createBatchClient({ provider, store: memoryStore(), retry: noRetry() });
    const job = await client.submit([request('a')]);
    await expect(client.status(job.id)).rejects.toThrow('down');
  });

  it('lists jobs with filters', async () => {
    const store = memoryStore();
    const client = createBatchClient({ provider: fakeBatchProvider({ pollsToComplete: 1e9 }), store, pollIntervalMs: 1 });
    const running = await client.submit([request('a')]);
    const finished = createBatchClient({ provider: fakeBatchProvider(), store, pollIntervalMs: 1 });
    const done = await finished.run([request('b')]);
    expect((await client.list({ status: 'completed' })).map((job) => job.id)).toEqual([done.jobId]);
    expect((await client.list({ status: ['in_progress', 'validating'] })).map((job) => job.id)).toEqual([running.id]);
    expect(await client.list({ provider: 'other' })).toEqual([]);
  });
});

describe('items an emulated run never started', () => {
  it('are cancelled, with the reason, when the run stopped as a whole', async () => {
    const { synthesizeMissingResult } = await import('../../src/client/synthesize-missing-result.js');
    const part = {
      id: 'p',
      index: 0,
      status: 'failed' as const,
      requestCount: 1,
      submitState: 'submitted' as const,
      resultsStored: false,
      error: 'fail-fast: item x failed',
    };
    expect(synthesizeMissingResult('y', part, 'emulated')).toMatchObject({
      status: 'cancelled',
      error: { category: 'cancelled', message: expect.stringContaining('fail-fast') },
    });
    expect(synthesizeMissingResult('y', part, 'native')).toMatchObject({ status: 'failed', error: { category: 'invalid_request' } });
  });
});
