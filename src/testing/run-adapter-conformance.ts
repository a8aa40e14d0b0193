import { createBatchClient, type BatchClient } from '../client/create-batch-client.js';
import { ValidationError } from '../errors/validation-error.js';
import { isTerminalStatus } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore } from '../store/batch-store.js';
import { memoryStore } from '../store/memory-store.js';

/** What an adapter under test can do; a suite is skipped where a capability is absent. */
export interface AdapterCapabilities {
  /** Cancelling a running job. @default true */
  readonly cancel?: boolean;
  /** Reporting some items failed while others succeed. @default true */
  readonly partialFailure?: boolean;
  /** Resuming a job from a new client instance with a new adapter instance. @default true */
  readonly resume?: boolean;
}

/** Options of {@link runAdapterConformance}. */
export interface AdapterConformanceOptions {
  /** Shown in the suite's name. */
  readonly name: string;
  /**
   * Makes an adapter. Called once per test and again for the resume test's second client; every
   * instance must reach the same provider state (same server, same backend).
   */
  readonly createAdapter: () => BatchProvider | Promise<BatchProvider>;
  readonly capabilities?: AdapterCapabilities;
  /** The model of the test requests. @default 'test-model' */
  readonly model?: string;
  /**
   * Text that makes the backend fail a request (the backend must be set up to do so), for the
   * partial-failure test. @default '[fail]'
   */
  readonly failMarker?: string;
  /** A fresh store per test. @default memoryStore() */
  readonly createStore?: () => BatchStore;
  /** Poll interval passed to the client. @default 10 */
  readonly pollIntervalMs?: number;
  /** Per test. @default 60_000 */
  readonly timeoutMs?: number;
  /** Called before each test (reset the emulator, advance clocks ...). */
  readonly beforeEach?: () => void | Promise<void>;
}

/**
 * One shared vitest suite that every adapter, built-in or custom, passes: submit, poll to a
 * terminal status, results correlated by id, partial failure, cancel, resume from a new client,
 * and validation before any network call. Await it at the top level of a test file (vitest is
 * loaded on demand, so this entry also loads from CommonJS where vitest is not wanted).
 *
 * @example
 * await runAdapterConformance({ name: 'my adapter', createAdapter: () => myAdapter({ baseURL }) });
 */
export async function runAdapterConformance(options: AdapterConformanceOptions): Promise<void> {
  const { describe, expect, it } = await import('vitest');
  const capabilities = { cancel: true, partialFailure: true, resume: true, ...options.capabilities };
  const model = options.model ?? 'test-model';
  const failMarker = options.failMarker ?? '[fail]';
  const timeout = options.timeoutMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 10;

  const request = (id: string, text: string): BatchRequest => ({
    id,
    model,
    maxTokens: 64,
    messages: [{ role: 'user', content: text }],
  });

  async function setup(): Promise<{ client: BatchClient; store: BatchStore; adapter: BatchProvider }> {
    await options.beforeEach?.();
    const store = options.createStore?.() ?? memoryStore();
    const adapter = await options.createAdapter();
    return { client: createBatchClient({ provider: adapter, store, pollIntervalMs, maxPollIntervalMs: pollIntervalMs }), store, adapter };
  }

  async function collect(client: BatchClient, jobId: string, order?: 'input' | 'completion'): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for await (const result of client.results(jobId, order ? { order } : {})) results.push(result);
    return results;
  }

  describe(`adapter conformance: ${options.name}`, () => {
    it('submits a job and polls it to a terminal status', { timeout }, async () => {
      const { client } = await setup();
      const job = await client.submit([request('a', 'alpha'), request('b', 'beta'), request('c', 'gamma')]);
      expect(job.parts.length).toBeGreaterThan(0);
      expect(job.parts.every((part) => part.submitState === 'submitted' && part.providerBatchId)).toBe(true);
      const done = await client.wait(job.id, { timeoutMs: timeout });
      expect(done.status).toBe('completed');
      expect(done.counts).toEqual({ total: 3, succeeded: 3, failed: 0, cancelled: 0, expired: 0, pending: 0 });
    });

    it('returns one result per request, correlated by id, in input order', { timeout }, async () => {
      const { client } = await setup();
      const ids = ['r_1', 'r_2', 'r_3', 'r_4', 'r_5'];
      const job = await client.submit(ids.map((id) => request(id, `question ${id}`)));
      await client.wait(job.id, { timeoutMs: timeout });
      const results = await collect(client, job.id);
      expect(results.map((result) => result.id)).toEqual(ids);
      for (const result of results) {
        expect(result.status).toBe('succeeded');
        if (result.status !== 'succeeded') continue;
        expect(typeof result.text).toBe('string');
        expect(result.usage.totalTokens).toBeGreaterThan(0);
        expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
      }
      const byCompletion = await collect(client, job.id, 'completion');
      expect(byCompletion.map((result) => result.id).sort()).toEqual([...ids].sort());
    });

    it('aggregates counts and usage over the results', { timeout }, async () => {
      const { client } = await setup();
      const summary = await client.run([request('x', 'one'), request('y', 'two')]);
      expect(summary.counts.succeeded).toBe(2);
      const summed = summary.results.reduce(
        (total, result) => total + (result.status === 'succeeded' ? result.usage.inputTokens : 0),
        0,
      );
      expect(summary.usage.inputTokens).toBe(summed);
      expect(summary.usage.inputTokens).toBeGreaterThan(0);
    });

    it.skipIf(!capabilities.partialFailure)('reports a failed item as data next to succeeded ones', { timeout }, async () => {
      const { client } = await setup();
      const summary = await client.run([request('ok_1', 'fine'), request('bad_1', `please ${failMarker}`), request('ok_2', 'fine too')]);
      const byId = new Map(summary.results.map((result) => [result.id, result]));
      expect(byId.get('ok_1')?.status).toBe('succeeded');
      expect(byId.get('ok_2')?.status).toBe('succeeded');
      const failed = byId.get('bad_1');
      expect(failed?.status).toBe('failed');
      if (failed?.status === 'failed') {
        expect(failed.error.message.length).toBeGreaterThan(0);
        expect(typeof failed.error.retryable).toBe('boolean');
      }
      expect(summary.counts).toMatchObject({ total: 3, succeeded: 2, failed: 1, pending: 0 });
      const errors = await client.errors(summary.jobId);
      expect(errors.map((result) => result.id)).toEqual(['bad_1']);
    });

    it.skipIf(!capabilities.cancel)('cancels a running job and still accounts for every item', { timeout }, async () => {
      const { client } = await setup();
      const requests = Array.from({ length: 20 }, (_, index) => request(`c_${index}`, `item ${index}`));
      const job = await client.submit(requests);
      const cancelled = await client.cancel(job.id);
      expect(['cancelling', 'cancelled', 'completed']).toContain(cancelled.status);
      const done = await client.wait(job.id, { timeoutMs: timeout });
      expect(isTerminalStatus(done.status)).toBe(true);
      const results = await collect(client, job.id);
      expect(results.map((result) => result.id)).toEqual(requests.map((item) => item.id));
      expect(done.counts.pending).toBe(0);
      expect(done.counts.succeeded + done.counts.failed + done.counts.cancelled + done.counts.expired).toBe(20);
    });

    it.skipIf(!capabilities.resume)('resumes a job from a new client and adapter instance', { timeout }, async () => {
      const { client, store } = await setup();
      const job = await client.submit([request('p', 'one'), request('q', 'two')]);
      const adapter = await options.createAdapter();
      const restarted = createBatchClient({ provider: adapter, store, pollIntervalMs, maxPollIntervalMs: pollIntervalMs });
      const resumed = await restarted.resume(job.id);
      expect(resumed.parts.map((part) => part.providerBatchId)).toEqual(job.parts.map((part) => part.providerBatchId));
      const done = await restarted.wait(job.id, { timeoutMs: timeout });
      expect(done.counts.succeeded).toBe(2);
      const results = await collect(restarted, job.id);
      expect(results.map((result) => result.id)).toEqual(['p', 'q']);
    });

    it('rejects bad requests before any provider call, naming each', { timeout }, async () => {
      const { store } = await setup();
      const adapter = await options.createAdapter();
      let calls = 0;
      // A proxy rather than a spread: adapters may be class instances with methods on the prototype.
      const counting = new Proxy(adapter, {
        get(target, key) {
          if (key === 'submit') {
            return (...args: Parameters<BatchProvider['submit']>) => {
              calls++;
              return target.submit(...args);
            };
          }
          const value: unknown = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const client = createBatchClient({ provider: counting, store });
      const bad = [request('good', 'fine'), { ...request('dup', 'x') }, { ...request('dup', 'y') }, { id: 'empty', model, messages: [] }];
      const error = await client.submit(bad as BatchRequest[]).catch((caught: unknown) => caught);
      expect(ValidationError.isInstance(error)).toBe(true);
      if (!ValidationError.isInstance(error)) return;
      expect(error.issues.map((issue) => issue.index).sort()).toEqual([2, 3]);
      expect(calls).toBe(0);
      expect(await store.listJobs()).toEqual([]);
    });
  });
}
