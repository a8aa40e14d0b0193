import { throwIfAborted } from '../errors/abort-error.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchResult, ItemStatus } from '../models/batch-result.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { addUsage, emptyUsage } from '../models/usage.js';
import { createOutputValidator, parseStructuredOutput } from '../structured-output/parse-structured-output.js';
import type { AggregateOptions, ResultsOptions } from './batch-client-options.js';
import type { ClientCore } from './client-core.js';
import { clientExtensions } from './client-extensions.js';
import { isLeaseRef } from './job-leases.js';
import { failOption } from '../validation/check-options.js';
import { resultsInInputOrder } from './results-in-input-order.js';

/*
 * Reading a job's results: from the journal, one per request, in input or completion order, and
 * the aggregate (counts, usage, cost) over them. Reading never needs the job's lease.
 */

/** A job's results from the journal, first result per id, re-parsed with the caller's schema. */
export async function* readResults<T>(core: ClientCore, job: JobManifest, options: ResultsOptions): AsyncIterable<BatchResult<T>> {
  const only = options.only ? new Set(options.only) : undefined;
  const validate = options.schema === undefined ? undefined : createOutputValidator(options.schema);
  const reparse = (result: BatchResult): BatchResult => (validate ? parseStructuredOutput(result, validate) : result);
  const keep = (result: BatchResult): boolean => !only || only.has(result.status);
  // An attached batch whose requests are unknown has no input order: its results come as journaled.
  if (options.order === 'completion' || job.parts.some((part) => part.requestsUnknown === true)) {
    const seen = new Set<string>();
    for await (const result of core.store.readResults(job.id)) {
      throwIfAborted(options.signal);
      if (seen.has(result.id)) continue;
      seen.add(result.id);
      const prepared = reparse(result);
      if (keep(prepared)) yield prepared as BatchResult<T>;
    }
    return;
  }
  for await (const found of resultsInInputOrder({ store: core.store, job, signal: options.signal })) {
    const result = reparse(found);
    if (keep(result)) yield result as BatchResult<T>;
  }
}

/** Results handed to the cost extension at once: the cost is summed chunk by chunk, so no array holds every result. */
const costChunkSize = 10_000;

/**
 * Counts, usage and cost over a job's results. Usage counts every paid call (failed ones
 * included); skipped items are left out of `results` and of the cost. The cost is stored with the
 * job when this client can drive it. With `keepResults: false` nothing is held: usage and cost are
 * summed as the results stream by (the cost in chunks of {@link costChunkSize}).
 */
export async function aggregateResults<T>(core: ClientCore, job: JobManifest, results: AsyncIterable<BatchResult<T>>, options: AggregateOptions<T>): Promise<BatchAggregate<T>> {
  if (options.keepResults !== undefined && typeof options.keepResults !== 'boolean') failOption('aggregate()', 'keepResults', 'a boolean', options.keepResults);
  const keep = options.keepResults !== false;
  const kept: BatchResult<T>[] = [];
  let chunk: BatchResult<T>[] = [];
  const usage = emptyUsage();
  let costUsd: number | undefined = 0;
  let costKnown = true;
  const priceChunk = (): void => {
    const cost = costOfResults(job, chunk, usage);
    chunk = [];
    if (cost === undefined) costKnown = false;
    else if (costUsd !== undefined) costUsd += cost;
  };
  for await (const result of results) {
    throwIfAborted(options.signal);
    if (result.status === 'succeeded' || result.status === 'failed') addUsage(usage, result.usage);
    if (result.status === 'failed' && result.skipped === true) continue;
    if (keep) kept.push(result);
    else {
      chunk.push(result);
      if (chunk.length >= costChunkSize) priceChunk();
    }
  }
  if (keep) costUsd = costOfResults(job, kept, usage);
  else priceChunk();
  if (!costKnown) costUsd = undefined;
  if (costUsd !== undefined && job.costUsd !== costUsd) await storeCost(core, job.id, costUsd, usage);
  const ended = job.endedAt ? Date.parse(job.endedAt) : Date.now();
  return {
    jobId: job.id,
    status: job.status,
    counts: job.counts,
    usage,
    costUsd,
    ...(job.estimate ? { estimate: job.estimate } : {}),
    elapsedMs: Math.max(0, ended - Date.parse(job.createdAt)),
    results: kept,
  };
}

/** What the client extensions say `results` cost (the last one that prices them wins); undefined when unknown. */
function costOfResults(job: JobManifest, results: readonly BatchResult[], usage: BatchAggregate['usage']): number | undefined {
  let costUsd: number | undefined;
  for (const extension of clientExtensions) {
    const cost = extension.costOf?.({ job, results, usage });
    if (cost !== undefined) costUsd = cost;
  }
  return costUsd;
}

/** Stores the cost with the job, only when no other client drives it (whose saves would race ours). */
async function storeCost(core: ClientCore, jobId: string, costUsd: number, usage: BatchAggregate['usage']): Promise<void> {
  const lease = await core.leases.tryHold(jobId);
  if (!isLeaseRef(lease)) return;
  try {
    const live = await core.jobs.load(jobId);
    live.costUsd = costUsd;
    live.usage = usage;
    await core.jobs.save(live);
  } finally {
    await core.jobs.release(lease);
  }
}

/**
 * The ids a retry of `job` takes: results with one of `statuses` (failed ones only when retryable),
 * never an id that succeeded at any point of the journal, whatever else it holds.
 * @throws LlmBatchError `nothing_to_retry` when there is none.
 */
export async function retryableIds(core: ClientCore, job: JobManifest, statuses: readonly ItemStatus[]): Promise<Set<string>> {
  const wanted = new Set(statuses);
  const paid = new Set<string>();
  for await (const result of core.store.readResults(job.id)) {
    if (result.status === 'succeeded') paid.add(result.id);
  }
  const ids = new Set<string>();
  for await (const result of readResults(core, job, {})) {
    if (!wanted.has(result.status) || paid.has(result.id)) continue;
    if (result.status === 'failed' && !result.error.retryable) continue;
    ids.add(result.id);
  }
  if (ids.size === 0) {
    throw new LlmBatchError(`Job ${job.id} has no retryable items with status ${[...wanted].join(', ')}`, { code: 'nothing_to_retry' });
  }
  return ids;
}
