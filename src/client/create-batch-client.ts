import { throwIfAborted } from '../errors/abort-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import type { BatchJob, JobManifest } from '../models/batch-job.js';
import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { exponentialBackoff } from '../retry/exponential-backoff.js';
import { fileStore } from '../store/file-store.js';
import type { DryRunResult, DryRunRouting, EstimateOptions } from './plan-dry-run.js';
import { answerAsyncDispose, asyncDisposeKey } from './async-dispose.js';
import { completeOne, type CompleteOptions } from './complete-one.js';
import { clientDryRun, planningInput } from './planning-input.js';
import { convertAggregate } from '../cost/currency.js';
import {
  validateClientOptions,
  validateReadOptions,
  validateSubmitOptions,
  validateWaitOptions,
  type AggregateOptions,
  type BatchClientOptions,
  type DryRunOptions,
  type ListFilter,
  type ResultsOptions,
  type RetryOptions,
  type RunOptions,
  type SubmitOptions,
  type WaitOptions,
} from './batch-client-options.js';
import { ClientCore, withClientHooks } from './client-core.js';
import { refreshPart } from './collect-part-results.js';
import { hasEnded } from './derive-job-state.js';
import { JobLeases, isLeaseRef } from './job-leases.js';
import { LiveJobs } from './live-jobs.js';
import { planNewJob } from './plan-new-job.js';
import { configToPrepare, expandConfig, mainProvider, type ConfigSettings } from './apply-config.js';
import { deferredClient } from './deferred-client.js';
import { PartProviders, dryRunRouting, isMixedJob } from './part-providers.js';
import { attachBatch, type AttachOptions } from './attach-batch.js';
import { aggregateResults, readResults } from './read-results.js';
import { resumePart, submitPart } from './submit-part.js';
import { closeCutIntake, submitStreaming } from './stream-intake.js';
import { toPublicJob } from './to-public-job.js';
import type { JobLease } from '../models/job-lease.js';
import { waitForJob } from './wait-for-job.js';
import { cancelJob } from './cancel-job.js';
import { retryJob } from './retry-job.js';
import { failIfFailed } from './fail-if-failed.js';
import { delay } from '../retry/delay.js';

export type * from './batch-client-options.js';
export type { BatchClient } from './batch-client.js';
import type { BatchClient } from './batch-client.js';
export type { DryRunResult, EstimateOptions } from './plan-dry-run.js';


/** How often a held job is checked for a cancel request from another process. */
const cancelWatchIntervalMs = 250;
/** How long `close()` waits for interrupted emulated runs to journal what ended. */
const interruptGraceMs = 5_000;
/**
 * How long a driver waits for a lease by default: long enough to outlast another process's brief
 * `status` refresh, short enough to report a real second driver at once.
 */
const defaultLeaseWaitMs = 3_000;

/**
 * Creates a batch client.
 *
 * @example
 * const client = createBatchClient({ provider: openaiBatch() });
 * const summary = await client.run(requests, { model: 'gpt-5.4-mini' });
 */
export function createBatchClient(given: BatchClientOptions): BatchClient {
  // A config file to read or plugins to load: the client is made once they are, on the first call of any method.
  const prepare = configToPrepare(given);
  if (prepare !== undefined) return deferredClient(async () => makeClient({ ...given, config: await prepare() }));
  return makeClient(given);
}

function makeClient(given: BatchClientOptions): BatchClient {
  const { options, settings } = expandConfig(given);
  validateClientOptions(options);
  return answerAsyncDispose(new DefaultBatchClient(options, settings), (client) => client.close());
}

class DefaultBatchClient implements BatchClient {
  readonly #core: ClientCore;
  readonly #parts: PartProviders;

  constructor(
    private readonly options: BatchClientOptions,
    private readonly settings: ConfigSettings | undefined,
  ) {
    this.provider = mainProvider(options);
    this.#parts = new PartProviders(this.provider, settings);
    const store = options.store ?? fileStore();
    const leases: JobLeases = new JobLeases(store, {
      ttlMs: options.lease?.ttlMs ?? 30_000,
      waitMs: options.lease?.waitMs ?? defaultLeaseWaitMs,
      watchIntervalMs: cancelWatchIntervalMs,
      onCancelRequested: (jobId) => void this.cancel(jobId).catch(() => undefined),
      onLost: (jobId) => {
        for (const run of this.#core.activeRuns.values()) {
          if (run.jobId === jobId) run.interrupt.abort(new Error(`The lease of job ${jobId} was lost`));
        }
      },
    });
    this.#core = withClientHooks(new ClientCore(store, leases, new LiveJobs(store, leases), options.retry ?? exponentialBackoff({ maxRetries: 5 })), options);
  }

  /** The client's own adapter (a part of a mixed job may run on another: `#parts.forPart`). */
  readonly provider: () => Promise<BatchProvider>;

  /** A dry run routes `provider:model` requests as a submit does. */
  #routing(): DryRunRouting {
    return dryRunRouting(this.#parts, async () => (await this.provider()).mode);
  }

  async close(): Promise<void> {
    const runs = [...this.#core.activeRuns.values()];
    for (const run of runs) run.interrupt.abort(new Error('The client was closed'));
    await Promise.race([Promise.all(runs.map((run) => run.ended)), delay(interruptGraceMs)]);
    await this.#core.jobs.flush();
    await this.#core.leases.releaseAll();
  }

  [asyncDisposeKey](): Promise<void> {
    return this.close();
  }

  complete<T = unknown>(request: BatchRequestInput, options: CompleteOptions = {}): Promise<BatchResult<T>> {
    return completeOne<T>(request, options, { options: this.options, provider: this.provider });
  }

  async estimate(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options: EstimateOptions = {}): Promise<CostEstimate> {
    validateSubmitOptions(options, 'estimate');
    return (await clientDryRun(requests, options, await this.provider(), this.options, 0, this.#routing())).estimate;
  }

  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options: DryRunOptions): Promise<DryRunResult>;
  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: SubmitOptions): Promise<BatchJob>;
  async submit(
    requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
    options: SubmitOptions | DryRunOptions = {},
  ): Promise<BatchJob | DryRunResult> {
    validateSubmitOptions(options);
    if ('dryRun' in options && options.dryRun === true) {
      return clientDryRun(requests, options, await this.provider(), this.options, options.previewCount, this.#routing());
    }
    return toPublicJob(await this.#submit(requests, options, undefined));
  }

  /** Plans, stores and submits a new job, holding its lease (a `retry` names the job it retries). */
  async #submit(
    requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
    options: SubmitOptions,
    retryOf: string | undefined,
    onPlanned?: (job: JobManifest) => Promise<void>,
  ): Promise<JobManifest> {
    throwIfAborted(options.signal);
    const core = this.#core;
    const provider = await this.provider();
    const planned = { requests, options: this.settings?.submitDefaults(options) ?? options, provider, store: core.store, route: (request: BatchRequest) => this.#parts.route(request) };
    const { transform, ...planning } = planningInput(planned.options, this.options.defaults, provider);
    if (planning.options.intake === 'streaming' && retryOf === undefined) {
      return submitStreaming({
        core,
        requests,
        options: planning.options,
        provider,
        ...(planning.defaults === undefined ? {} : { defaults: planning.defaults }),
        ...(transform === undefined ? {} : { transform }),
        route: planned.route,
        onRunEnded: (jobId) => this.#status(jobId),
        onStarted: (job) => tellSubmitted(core, job, planning.options),
      });
    }
    const job = await planNewJob({ ...planned, ...planning, ...(retryOf === undefined ? {} : { retryOf }) });
    await onPlanned?.(job);
    const lease = await core.leases.hold(job.id);
    try {
      core.jobs.adopt(job);
      await core.jobs.save(job);
      for (const part of job.parts) {
        await submitPart(core, job, part, await this.#parts.forPart(job, part), { signal: options.signal, pendingOnly: false, onRunEnded: (jobId) => this.#status(jobId) });
      }
      tellSubmitted(core, job, options);
      return structuredClone(job);
    } finally {
      await core.jobs.release(lease);
    }
  }

  /** Jobs this client is retrying right now (the lease is re-entrant within a client). */
  readonly #retrying = new Set<string>();

  /** Who drives the jobs this client read while another client held their lease. */
  readonly #drivers = new WeakMap<JobManifest, JobLease>();

  #drivenElsewhere(job: JobManifest, lease: JobLease): JobManifest {
    this.#drivers.set(job, lease);
    return job;
  }

  /** The public view of a job, with its driver when another client drives it. */
  #public(job: JobManifest): BatchJob {
    const driver = this.#drivers.get(job);
    const view = toPublicJob(job);
    return driver === undefined ? view : { ...view, drivenBy: { pid: driver.holder.pid, host: driver.holder.host, since: driver.acquiredAt } };
  }

  async status(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchJob> {
    validateReadOptions('status', options);
    return this.#public(await this.#status(jobId, options));
  }

  /** The job brought up to date, as stored (what the other methods work on). */
  async #status(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobManifest> {
    const core = this.#core;
    if (!core.leases.holds(jobId)) {
      // An ended job is only read: no lease, no provider call.
      const stored = await core.jobs.snapshot(jobId);
      if (hasEnded(stored)) return stored;
    }
    const lease = await core.leases.tryHold(jobId);
    if (!isLeaseRef(lease)) return this.#drivenElsewhere(await core.jobs.snapshot(jobId), lease);
    try {
      const job = await core.jobs.load(jobId);
      for (const part of job.parts) {
        throwIfAborted(options.signal);
        await refreshPart(core, job, part, await this.#parts.forPart(job, part), options.signal);
      }
      await core.jobs.save(job);
      return structuredClone(job);
    } finally {
      await core.jobs.release(lease);
    }
  }

  async wait(jobId: string, options: WaitOptions = {}): Promise<BatchJob> {
    validateWaitOptions('wait', options);
    const job = await waitForJob(
      {
        core: this.#core,
        provider: await this.provider(),
        status: (id, statusOptions) => this.#status(id, statusOptions),
        pollIntervalMs: this.options.pollIntervalMs,
        maxPollIntervalMs: this.options.maxPollIntervalMs ?? 60_000,
      },
      jobId,
      options,
    );
    return toPublicJob(job);
  }

  async *results<T = unknown>(jobId: string, options: ResultsOptions = {}): AsyncIterable<BatchResult<T>> {
    validateReadOptions('results', options);
    const job = await this.#status(jobId, options.signal ? { signal: options.signal } : {});
    yield* readResults<T>(this.#core, job, options);
  }

  async errors(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchResult[]> {
    validateReadOptions('errors', options);
    const errors: BatchResult[] = [];
    for await (const result of this.results(jobId, { ...options, only: ['failed', 'cancelled', 'expired'] })) errors.push(result);
    return errors;
  }

  async aggregate<T = unknown>(jobId: string, options: AggregateOptions<T> = {}): Promise<BatchAggregate<T>> {
    validateReadOptions('aggregate', options);
    const job = await this.#status(jobId, options.signal ? { signal: options.signal } : {});
    // Without the results kept, their order does not matter: the journal is read as it is, with no map of input positions.
    const reading = options.keepResults === false ? { ...options, order: 'completion' as const } : options;
    return convertAggregate(await aggregateResults(this.#core, job, readResults<T>(this.#core, job, reading), options), this.options.currency);
  }

  /** Cancels the job, or asks its driver to (see cancel-job.ts). */
  async cancel(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchJob> {
    validateReadOptions('cancel', options);
    return this.#public(await this.#cancel(jobId, options));
  }

  #cancel(jobId: string, options: { signal?: AbortSignal }): Promise<JobManifest> {
    return cancelJob(
      { core: this.#core, parts: this.#parts, status: (id, statusOptions) => this.#status(id, statusOptions), drivenElsewhere: (job, lease) => this.#drivenElsewhere(job, lease) },
      jobId,
      options,
    );
  }

  /** Imports a provider batch created elsewhere as a job (see attach-batch.ts), brought up to date. */
  async attach(options: AttachOptions): Promise<BatchJob> {
    const job = await attachBatch(this.#core, this.#parts, await this.provider(), options);
    return this.#public(await this.#status(job.id, options.signal ? { signal: options.signal } : {}));
  }

  async list(filter: ListFilter = {}): Promise<BatchJob[]> {
    validateReadOptions('list', filter);
    const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat());
    const jobs = await this.#core.store.listJobs(filter.onDamaged ? { onDamaged: filter.onDamaged } : {});
    return jobs
      .filter((job) => (statuses ? statuses.has(job.status) : true))
      .filter((job) => (filter.provider ? job.provider === filter.provider : true))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(toPublicJob);
  }

  /**
   * Carries an interrupted job on: parts never submitted (or whose submission failed) are submitted,
   * a part caught mid-submission is first looked for at the provider (`find`), and an emulated run
   * goes on with the requests that have no result yet. A job someone asked to cancel is cancelled.
   */
  async resume(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchJob> {
    validateReadOptions('resume', options);
    return toPublicJob(await this.#resume(jobId, options));
  }

  async #resume(jobId: string, options: { signal?: AbortSignal }): Promise<JobManifest> {
    const core = this.#core;
    const stored = await core.jobs.snapshot(jobId);
    if (hasEnded(stored)) return stored;
    const lease = await core.leases.hold(jobId, { signal: options.signal });
    try {
      const job = await core.jobs.load(jobId);
      const provider = await this.provider();
      if (job.mode !== provider.mode || (job.provider !== provider.name && !isMixedJob(job))) {
        throw new LlmBatchError(`Job ${jobId} ran on ${job.provider} (${job.mode}); this client uses ${provider.name} (${provider.mode})`, {
          code: 'provider_mismatch',
        });
      }
      if ((await core.store.cancelRequested(jobId)) !== undefined) return await this.#cancel(jobId, options);
      // A streaming intake cut off by a crash: the job is what was stored.
      if (job.intake === 'streaming' && !job.parts.some((part) => core.activeRuns.has(part.id))) await closeCutIntake(core, job);
      for (const part of job.parts) {
        throwIfAborted(options.signal);
        await resumePart(core, job, part, await this.#parts.forPart(job, part), { signal: options.signal, onRunEnded: (id: string) => this.#status(id) });
      }
      return await this.#status(jobId, options);
    } finally {
      await core.jobs.release(lease);
    }
  }

  /** A new job of the items that did not succeed (see retry-job.ts). */
  async retry(jobId: string, options: RetryOptions = {}): Promise<BatchJob> {
    validateSubmitOptions(options, 'retry');
    const context = {
      core: this.#core,
      retrying: this.#retrying,
      status: (id: string, statusOptions: { signal?: AbortSignal }) => this.#status(id, statusOptions),
      submit: (requests: AsyncIterable<BatchRequest>, submitOptions: SubmitOptions, retryOf: string, onPlanned: (job: JobManifest) => Promise<void>) =>
        this.#submit(requests, submitOptions, retryOf, onPlanned),
    };
    return toPublicJob(await retryJob(context, jobId, options));
  }

  async run<T = unknown>(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options: RunOptions<T> = {}): Promise<BatchAggregate<T>> {
    validateSubmitOptions(options, 'run');
    const { pollIntervalMs, timeoutMs, onProgress, throwOnFailure, keepResults, ...submitOptions } = options;
    validateWaitOptions('run', { ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    const signal = options.signal;
    const waitOptions: WaitOptions = {
      ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    };
    // A streaming intake's run starts long before its input is read: progress is followed from then.
    let following: Promise<BatchJob> | undefined;
    const follow = (started: BatchJob): void => {
      following = this.wait(started.id, waitOptions);
      // Its failure, if the submit fails too, is the submit's to report.
      following.catch(() => undefined);
      submitOptions.onSubmitted?.(started);
    };
    const job = await this.#submit(requests, submitOptions.intake === 'streaming' ? { ...submitOptions, onSubmitted: follow } : submitOptions, undefined);
    const ended = await (following ?? this.wait(job.id, waitOptions));
    const aggregate = await this.aggregate<T>(job.id, {
      ...(signal ? { signal } : {}),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(keepResults === undefined ? {} : { keepResults }),
    });
    return throwOnFailure === true ? failIfFailed(aggregate, ended) : aggregate;
  }
}

/** The caller's `onSubmitted`, told of a job that is stored and submitted; a throw becomes a job warning. */
function tellSubmitted(core: ClientCore, job: JobManifest, options: SubmitOptions): void {
  if (options.onSubmitted === undefined) return;
  try {
    options.onSubmitted(toPublicJob(job));
  } catch (error) {
    core.callContext(job, undefined).warn(`onSubmitted threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}
