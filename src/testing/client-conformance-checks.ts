import { createBatchClient, type BatchClient } from '../client/create-batch-client.js';
import { ValidationError } from '../errors/validation-error.js';
import { isTerminalStatus } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore } from '../store/batch-store.js';
import type { ConformanceCheck, ConformanceSettings } from './adapter-conformance-options.js';
import { ensure, ensureEqual } from './conformance-assertions.js';

/**
 * The checks that run the adapter through `createBatchClient`, as a user does: a job submitted,
 * polled, correlated, aggregated, cancelled and resumed end to end.
 */
export function clientConformanceChecks(settings: ConformanceSettings): ConformanceCheck[] {
  const { model, failMarker, pollIntervalMs, deadlineMs } = settings;

  const request = (id: string, text: string): BatchRequest => ({ id, model, maxTokens: 64, messages: [{ role: 'user', content: text }] });

  const clientFor = (provider: BatchProvider, store: BatchStore): BatchClient =>
    createBatchClient({ provider, store, pollIntervalMs, maxPollIntervalMs: pollIntervalMs });

  async function setup(): Promise<{ client: BatchClient; store: BatchStore }> {
    const store = settings.createStore();
    return { client: clientFor(await settings.createAdapter(), store), store };
  }

  async function collect(client: BatchClient, jobId: string, order?: 'input' | 'completion'): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for await (const result of client.results(jobId, order ? { order } : {})) results.push(result);
    return results;
  }

  return [
    {
      name: 'submits a job and polls it to a terminal status',
      async run() {
        const { client, store } = await setup();
        const job = await client.submit([request('a', 'alpha'), request('b', 'beta'), request('c', 'gamma')]);
        ensure(job.parts.length > 0, 'the submitted job has no parts');
        const stored = await store.loadJob(job.id);
        ensure(
          stored !== undefined && stored.parts.every((part) => part.submitState === 'submitted' && part.providerBatchId),
          'every part of a submitted job is "submitted" with a provider batch id',
        );
        const done = await client.wait(job.id, { timeoutMs: deadlineMs });
        ensureEqual(done.status, 'completed', 'the status of the job');
        ensureEqual(done.counts, { total: 3, succeeded: 3, failed: 0, cancelled: 0, expired: 0, pending: 0 }, 'the counts of the job');
      },
    },
    {
      name: 'returns one result per request, correlated by id, in input order',
      async run() {
        const { client } = await setup();
        const ids = ['r_1', 'r_2', 'r_3', 'r_4', 'r_5'];
        const job = await client.submit(ids.map((id) => request(id, `question ${id}`)));
        await client.wait(job.id, { timeoutMs: deadlineMs });
        const results = await collect(client, job.id);
        ensureEqual(
          results.map((result) => result.id),
          ids,
          'the ids of the results in input order',
        );
        for (const result of results) {
          ensureEqual(result.status, 'succeeded', `the status of result "${result.id}"`);
          if (result.status !== 'succeeded') continue;
          ensure(typeof result.text === 'string', `result "${result.id}" has no text`);
          ensure(result.usage.totalTokens > 0, `result "${result.id}" reports no tokens`);
          ensureEqual(
            result.usage.totalTokens,
            result.usage.inputTokens + result.usage.outputTokens,
            `the total tokens of result "${result.id}" (input + output)`,
          );
        }
        const byCompletion = await collect(client, job.id, 'completion');
        ensureEqual(
          byCompletion.map((result) => result.id).sort(),
          [...ids].sort(),
          'the ids of the results in completion order, sorted',
        );
      },
    },
    {
      name: 'aggregates counts and usage over the results',
      async run() {
        const { client } = await setup();
        const summary = await client.run([request('x', 'one'), request('y', 'two')]);
        ensureEqual(summary.counts.succeeded, 2, 'the succeeded count of the summary');
        const summed = summary.results.reduce((total, result) => total + (result.status === 'succeeded' ? result.usage.inputTokens : 0), 0);
        ensureEqual(summary.usage.inputTokens, summed, 'the input tokens of the summary (the sum over its results)');
        ensure(summary.usage.inputTokens > 0, 'the summary reports no input tokens');
      },
    },
    {
      name: 'reports a failed item as data next to succeeded ones',
      needs: 'partialFailure',
      async run() {
        const { client } = await setup();
        const summary = await client.run([request('ok_1', 'fine'), request('bad_1', `please ${failMarker}`), request('ok_2', 'fine too')]);
        const byId = new Map(summary.results.map((result) => [result.id, result]));
        ensureEqual(byId.get('ok_1')?.status, 'succeeded', 'the status of "ok_1"');
        ensureEqual(byId.get('ok_2')?.status, 'succeeded', 'the status of "ok_2"');
        const failed = byId.get('bad_1');
        ensureEqual(failed?.status, 'failed', `the status of "bad_1" (its text holds ${failMarker})`);
        if (failed?.status === 'failed') {
          ensure(failed.error.message.length > 0, 'the error of "bad_1" has no message');
          ensure(typeof failed.error.retryable === 'boolean', 'the error of "bad_1" does not say whether it is retryable');
        }
        ensureEqual(
          { total: summary.counts.total, succeeded: summary.counts.succeeded, failed: summary.counts.failed, pending: summary.counts.pending },
          { total: 3, succeeded: 2, failed: 1, pending: 0 },
          'the counts of the summary',
        );
        const errors = await client.errors(summary.jobId);
        ensureEqual(
          errors.map((result) => result.id),
          ['bad_1'],
          'the ids of errors()',
        );
      },
    },
    {
      name: 'cancels a running job and still accounts for every item',
      needs: 'cancel',
      async run() {
        const { client } = await setup();
        const requests = Array.from({ length: 20 }, (_, index) => request(`c_${index}`, `item ${index}`));
        const job = await client.submit(requests);
        const cancelled = await client.cancel(job.id);
        ensure(
          ['cancelling', 'cancelled', 'completed'].includes(cancelled.status),
          `the status right after cancel is "${cancelled.status}", not cancelling, cancelled or completed`,
        );
        const done = await client.wait(job.id, { timeoutMs: deadlineMs });
        ensure(isTerminalStatus(done.status), `the status of the cancelled job is "${done.status}", not terminal`);
        const results = await collect(client, job.id);
        ensureEqual(
          results.map((result) => result.id),
          requests.map((item) => item.id),
          'the ids of the results of the cancelled job',
        );
        ensureEqual(done.counts.pending, 0, 'the pending count of the cancelled job');
        ensureEqual(
          done.counts.succeeded + done.counts.failed + done.counts.cancelled + done.counts.expired,
          20,
          'the ended items of the cancelled job',
        );
      },
    },
    {
      name: 'resumes a job from a new client and adapter instance',
      needs: 'resume',
      async run() {
        const { client, store } = await setup();
        const job = await client.submit([request('p', 'one'), request('q', 'two')]);
        const restarted = clientFor(await settings.createAdapter(), store);
        const resumed = await restarted.resume(job.id);
        ensureEqual(
          resumed.parts.map((part) => part.providerBatchId),
          job.parts.map((part) => part.providerBatchId),
          'the provider batch ids after resume',
        );
        const done = await restarted.wait(job.id, { timeoutMs: deadlineMs });
        ensureEqual(done.counts.succeeded, 2, 'the succeeded count of the resumed job');
        const results = await collect(restarted, job.id);
        ensureEqual(
          results.map((result) => result.id),
          ['p', 'q'],
          'the ids of the results of the resumed job',
        );
      },
    },
    {
      name: 'rejects bad requests before any provider call, naming each',
      async run() {
        const store = settings.createStore();
        const adapter = await settings.createAdapter();
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
        ensure(ValidationError.isInstance(error), `submit of invalid requests did not throw a ValidationError: ${String(error)}`);
        ensureEqual(
          error.issues.map((issue) => issue.index).sort(),
          [2, 3],
          'the indexes of the invalid requests',
        );
        ensureEqual(calls, 0, 'the submit calls made for a job with invalid requests');
        ensureEqual(await store.listJobs(), [], 'the jobs stored for a job with invalid requests');
      },
    },
  ];
}
