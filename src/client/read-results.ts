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
import { IdTable, type IdTableOptions } from './id-table.js';
import type { BatchStore } from '../store/batch-store.js';

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
    for await (const result of firstResultPerId(core.store, job.id, options.signal, { expected: job.counts.total, positions: false })) {
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

/**
 * The journal in append order, the first result of each id only. The ids seen are kept in an
 * {@link IdTable}: past 65,536 ids only their 64-bit hashes, so a hit is a suspect. A suspect is
 * held back and settled exactly after the journal ends, by one more read of it for the suspects'
 * ids alone (only when there are suspects): it comes then, last, if no earlier result has its id.
 */
export async function* firstResultPerId(store: BatchStore, jobId: string, signal?: AbortSignal, ids?: IdTableOptions): AsyncIterable<BatchResult> {
  const seen = new IdTable(ids);
  const held: { readonly position: number; readonly result: BatchResult }[] = [];
  let position = 0;
  for await (const result of store.readResults(jobId)) {
    throwIfAborted(signal);
    const at = position++;
    if (seen.add(result.id, at) === -1) yield result;
    else if (!seen.exact) held.push({ position: at, result });
  }
  if (held.length === 0) return;
  // The first position of each held id in the journal, read again as far as the last held result.
  const firstAt = new Map<string, number>();
  for (const { result } of held) firstAt.set(result.id, Number.POSITIVE_INFINITY);
  const last = held[held.length - 1]!.position;
  position = 0;
  for await (const result of store.readResults(jobId)) {
    throwIfAborted(signal);
    const at = position++;
    if (at > last) break;
    const first = firstAt.get(result.id);
    if (first !== undefined && at < first) firstAt.set(result.id, at);
  }
  for (const { position: at, result } of held) {
    if (firstAt.get(result.id) === at) yield result;
  }
}

/** Results handed to the cost extension at once: the cost is summed chunk by chunk, so no array holds every result. */
const costChunkSize = 1_000;

/**
 * Counts, usage and cost over a job's results. Usage counts every paid call (failed ones
 * included); skipped items are left out of `results` and of the cost. The cost is stored with the
 * job when this client can drive it. With `keepResults: false` nothing is held: usage and cost are
 * summed as the results stream by (the cost in chunks of {@link costChunkSize}, small enough to be freed young).
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
