import { LlmBatchError } from '../errors/llm-batch-error.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import { refuseRetryOfUnknownRequests } from './attach-batch.js';
import type { RetryOptions, SubmitOptions } from './batch-client-options.js';
import type { ClientCore } from './client-core.js';
import { hasEnded } from './derive-job-state.js';
import { mergeByIndex } from './merge-by-index.js';
import { asSubmitted } from './part-providers.js';
import { retryableIds } from './read-results.js';

/** What {@link retryJob} needs of the client. */
export interface RetryContext {
  readonly core: ClientCore;
  /** Jobs this client is retrying right now (the lease is re-entrant within a client). */
  readonly retrying: Set<string>;
  /** The job brought up to date (the client's `status`, as stored). */
  status(jobId: string, options: { signal?: AbortSignal }): Promise<JobManifest>;
  /** Plans, stores and submits a new job; `onPlanned` sees it before anything is sent. */
  submit(requests: AsyncIterable<BatchRequest>, options: SubmitOptions, retryOf: string, onPlanned: (job: JobManifest) => Promise<void>): Promise<JobManifest>;
}

/**
 * A new job of the items that did not succeed. Holds the original job's lease meanwhile, and never
 * takes an item that succeeded at any point, whatever else its journal holds.
 */
export async function retryJob(context: RetryContext, jobId: string, options: RetryOptions): Promise<JobManifest> {
  const { core } = context;
  const job = await context.status(jobId, options.signal ? { signal: options.signal } : {});
  if (!hasEnded(job)) {
    throw new LlmBatchError(`Job ${jobId} is still ${job.status}; retry it once it has ended`, { code: 'job_not_ended' });
  }
  refuseRetryOfUnknownRequests(job);
  const lease = await core.leases.hold(jobId, { signal: options.signal });
  try {
    const original = await core.jobs.load(jobId);
    if (original.retriedBy !== undefined || context.retrying.has(jobId)) {
      // Its items are the retry job's now: retrying them again here would pay for them twice.
      const message =
        original.retriedBy === undefined
          ? `Job ${jobId} is being retried right now by this client; a second retry would pay for the same items twice`
          : `Job ${jobId} was already retried as ${original.retriedBy}; retry that job instead (llm-batch retry ${original.retriedBy})`;
      throw new LlmBatchError(message, { code: 'already_retried' });
    }
    context.retrying.add(jobId);
    const retryIds = await retryableIds(core, job, options.statuses ?? ['failed', 'expired', 'cancelled']);
    const requests = mergeByIndex(job.parts.map((part) => asSubmitted(core.store.readRequests(job.id, part.index), part)));
    async function* retried(): AsyncGenerator<BatchRequest> {
      for await (const { request, rejected } of requests) if (rejected === undefined && retryIds.has(request.id)) yield request;
    }
    const { statuses: _statuses, ...submitOptions } = options;
    const model = job.options?.model;
    // The original names its retry before anything is submitted, under its lease: a second retry,
    // now or after a crash, is refused instead of paying for the same items again.
    const markRetried = async (retry: JobManifest): Promise<void> => {
      original.retriedBy = retry.id;
      await core.jobs.save(original);
    };
    const defaults = { ...(model === undefined ? {} : { model }), metadata: job.metadata, ...(job.priority === undefined ? {} : { priority: job.priority }) };
    return await context.submit(retried(), { ...defaults, ...submitOptions }, jobId, markRetried);
  } finally {
    context.retrying.delete(jobId);
    await core.jobs.release(lease);
  }
}
