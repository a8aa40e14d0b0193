import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { throwIfAborted } from '../errors/abort-error.js';
import { JobNotFoundError } from '../errors/job-not-found-error.js';
import { JobLeasedError } from '../errors/job-leased-error.js';
import type { StoreDamageError } from '../errors/store-damage-error.js';
import { isAbortError } from '../errors/abort-error.js';
import { classifyError, redactSecrets } from '../errors/classify-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { isTerminalStatus, type BatchJob, type BatchPart, type JobStatus, type ProviderReference } from '../models/batch-job.js';
import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { BatchResult, ItemStatus } from '../models/batch-result.js';
import { addUsage, emptyUsage } from '../models/usage.js';
import type { BatchProvider, ProviderCallContext, SubmitContext, SubmitPart } from '../provider/batch-provider.js';
import { delay } from '../retry/delay.js';
import { exponentialBackoff } from '../retry/exponential-backoff.js';
import type { RetryStrategy } from '../retry/retry-strategy.js';
import { runWithRetry } from '../retry/run-with-retry.js';
import type { BatchStore, JobLease, StoredRequest } from '../store/batch-store.js';
import { fileStore } from '../store/file-store.js';
import { deriveJobCounts, deriveJobStatus, partCountsFromReport } from './derive-job-state.js';
import { mergeByIndex } from './merge-by-index.js';
import { planJob } from './plan-job.js';
import { resolveProvider, type ProviderShorthand, type ResolvedProvider } from './resolve-provider.js';
import { synthesizeMissingResult } from './synthesize-missing-result.js';
import { resultsInInputOrder } from './results-in-input-order.js';
import { clientExtensions } from './client-extensions.js';
import type { PlanningObserver } from './client-extension.js';
import { journalsEachResultOnce } from '../provider/journals-each-result-once.js';
import { JobLeases, type LeaseOptions, type LeaseRef } from './job-leases.js';
import { checkNumberOption } from './check-number-option.js';
import { checkAdapterResult } from './check-adapter-result.js';
// --- cost, budgets, structured output ---
import type { z } from 'zod';
import { budgetOf, type CostOptions } from '../cost/cost-extension.js';
import { planDryRun, type DryRunResult, type EstimateOptions } from '../cost/plan-dry-run.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import { createOutputValidator, parseStructuredOutput } from '../structured-output/parse-structured-output.js';
import type { StructuredOutputSchema } from '../structured-output/structured-output-schema.js';
import type { JsonSchema } from '../structured-output/validate-json-schema.js';
export type { DryRunResult, EstimateOptions } from '../cost/plan-dry-run.js';
// --- end cost, budgets, structured output ---

/** Options of {@link createBatchClient}. */
export interface BatchClientOptions {
  /**
   * The adapter: an adapter value (`openaiBatch()`, `anthropicBatch()`, `emulated({...})`, your own),
   * or a shorthand resolved on first use: `'openai'`, `'anthropic'` or `'mock'` (the local emulator).
   */
  readonly provider: BatchProvider | ProviderShorthand;
  /**
   * With a shorthand: the provider's native batch API, or an emulated batch over its sync API.
   * @default 'native'
   */
  readonly mode?: 'native' | 'emulated';
  /**
   * Where jobs are kept.
   * @default fileStore() (./.llm-batch, or LLM_BATCH_DIR)
   */
  readonly store?: BatchStore;
  /**
   * Retries of status, results and cancel calls (never of batch creation, which would pay twice).
   * @default exponentialBackoff({ maxRetries: 5 })
   */
  readonly retry?: RetryStrategy;
  /**
   * First interval between polls in `wait`; it grows by half each poll up to `maxPollIntervalMs`.
   * @default the adapter's `pollIntervalMs`, else 200 ms for emulated jobs and 5,000 ms for native ones
   */
  readonly pollIntervalMs?: number;
  /** @default 60_000 */
  readonly maxPollIntervalMs?: number;
  /**
   * The one-driver-per-job lease: whoever submits, resumes, retries, runs or polls a job holds it
   * in the store, so a second process (or client) cannot drive the same job and pay twice.
   * @default { ttlMs: 30_000, waitMs: 0 }
   */
  readonly lease?: LeaseOptions;
  /** Options passed to the adapter a shorthand resolves to (apiKey, baseURL, concurrency ...). */
  readonly [adapterOption: string]: unknown;
}

/** Options of `submit` and `run`. */
export interface SubmitOptions {
  /** The model of requests that name none. */
  readonly model?: string;
  /** String pairs stored with the job and sent as provider batch metadata where supported. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Native batches: the provider's completion window. @default '24h' */
  readonly completionWindow?: string;
  readonly signal?: AbortSignal;
  /** Internal: the job this one retries. */
  readonly retryOf?: string;
  // --- cost, budgets, structured output ---
  /**
   * Budget in USD. Native: a job whose estimate passes it is refused with `BudgetExceededError`
   * before any network call. Emulated: each item's worst case is reserved before its call and
   * settled from its usage; once the budget is reached the run stops and the items not started
   * end `cancelled` with category `budget`.
   */
  readonly maxCostUsd?: CostOptions['maxCostUsd'];
  /** Prices instead of (or on top of) the shipped table: an object or a JSON file path. @default the shipped table */
  readonly pricing?: CostOptions['pricing'];
  /** Share of `maxTokens` a request is expected to use, for the estimate. @default 0.5 */
  readonly expectedOutputRatio?: number;
  /**
   * Count OpenAI models' input tokens exactly (`gpt-tokenizer`, about 0.2 s to load once) for the
   * estimate stored with the job. Emulated jobs bill reported usage and approximate by default,
   * so their first calls do not wait for the tokenizer.
   * @default true for native jobs, false for emulated ones
   */
  readonly exactTokens?: CostOptions['exactTokens'];
  /**
   * Structured output: a zod schema or a JSON schema. Every request asks for it, every answer is
   * parsed and validated; an invalid one is `failed` with category `validation` (retryable).
   */
  readonly schema?: StructuredOutputSchema;
  /** The schema's name sent to the provider. @default 'response' */
  readonly schemaName?: string;
  // --- end cost, budgets, structured output ---
  /** Further options understood by client extensions (cost, budgets, structured output). */
  readonly [option: string]: unknown;
}

export interface WaitOptions {
  readonly pollIntervalMs?: number;
  /**
   * Give up waiting after this long: every status call inside the wait gets the time that is left.
   * A native job keeps running at the provider; an emulated run keeps running in this client
   * until `close()`.
   */
  readonly timeoutMs?: number;
  readonly onProgress?: (job: BatchJob) => void;
  readonly signal?: AbortSignal;
}

export interface ResultsOptions {
  /**
   * `input`: one result per request, in the order the requests were submitted (a job of more than
   * 50,000 requests is ordered through temporary files, so memory does not grow with it);
   * `completion`: as journaled.
   * @default 'input'
   */
  readonly order?: 'input' | 'completion';
  /** Only results with these statuses. */
  readonly only?: readonly ItemStatus[];
  readonly signal?: AbortSignal;
  /**
   * Re-parse each succeeded result's text with this schema (types `output`, and restores what a
   * zod transform makes that JSON cannot store, such as dates).
   */
  readonly schema?: StructuredOutputSchema;
}

// --- cost, budgets, structured output ---
/** Options of a dry run: `submit(requests, { dryRun: true })` estimates and previews, and sends and stores nothing. */
export interface DryRunOptions extends SubmitOptions {
  readonly dryRun: true;
  /** How many provider bodies to preview. @default 3 */
  readonly previewCount?: number;
}

/** A schema that types results: a zod schema infers `T`, a JSON schema leaves it to you. */
type TypedSchema<T> = z.ZodType<T> | JsonSchema;
// --- end cost, budgets, structured output ---

export interface RetryOptions {
  /** Which results to retry; failed ones only when their error is retryable. @default ['failed', 'expired', 'cancelled'] */
  readonly statuses?: readonly ItemStatus[];
  readonly signal?: AbortSignal;
}

export interface ListFilter {
  readonly status?: JobStatus | readonly JobStatus[];
  readonly provider?: string;
  /** Called for each job whose manifest cannot be read (it is not in the list, and not hidden either). */
  readonly onDamaged?: (error: StoreDamageError) => void;
}

/** The one client: submit, follow and read jobs on any adapter. */
export interface BatchClient {
  /** A dry run: estimate, planned parts and the first provider bodies; nothing is sent or stored. */
  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options: DryRunOptions): Promise<DryRunResult>;
  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: SubmitOptions): Promise<BatchJob>;
  /** What the requests would cost (batch and sync price, tokens, savings), without any network call. */
  estimate(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: EstimateOptions): Promise<CostEstimate>;
  status(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob>;
  wait(jobId: string, options?: WaitOptions): Promise<BatchJob>;
  results<T = unknown>(jobId: string, options?: ResultsOptions & { schema?: TypedSchema<T> }): AsyncIterable<BatchResult<T>>;
  errors(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchResult[]>;
  aggregate<T = unknown>(jobId: string, options?: { signal?: AbortSignal; schema?: TypedSchema<T> }): Promise<BatchAggregate<T>>;
  cancel(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob>;
  list(filter?: ListFilter): Promise<BatchJob[]>;
  resume(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob>;
  retry(jobId: string, options?: RetryOptions & SubmitOptions): Promise<BatchJob>;
  run<T = unknown>(
    requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
    options?: SubmitOptions & Omit<WaitOptions, 'signal'> & { schema?: TypedSchema<T> },
  ): Promise<BatchAggregate<T>>;
  /** The adapter in use (resolving a shorthand). */
  provider(): Promise<BatchProvider>;
  /** Stops what the client started (the local emulator of the `mock` shorthand). */
  close(): Promise<void>;
}

/**
 * Creates a batch client.
 *
 * @example
 * const client = createBatchClient({ provider: openaiBatch() });
 * const summary = await client.run(requests, { model: 'gpt-5.4-mini' });
 */
export function createBatchClient(options: BatchClientOptions): BatchClient {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createBatchClient: expected an options object with a "provider"');
  }
  if (options.provider === undefined) {
    throw new TypeError('createBatchClient: option "provider" is required (an adapter, or "openai", "anthropic" or "mock")');
  }
  if (options.mode !== undefined && options.mode !== 'native' && options.mode !== 'emulated') {
    throw new TypeError(`createBatchClient: option "mode" must be "native" or "emulated", got ${JSON.stringify(options.mode)}`);
  }
  for (const name of ['pollIntervalMs', 'maxPollIntervalMs'] as const) {
    checkNumberOption('createBatchClient', name, options[name], { min: 1, max: maxPollIntervalLimitMs });
  }
  const lease = options.lease;
  if (lease !== undefined) {
    if (typeof lease !== 'object' || lease === null) throw new TypeError('createBatchClient: option "lease" must be an object { ttlMs?, waitMs? }');
    for (const key of Object.keys(lease)) {
      if (key !== 'ttlMs' && key !== 'waitMs') throw new TypeError(`createBatchClient: unknown option "lease.${key}" (known: ttlMs, waitMs)`);
    }
    checkNumberOption('createBatchClient', 'lease.ttlMs', lease.ttlMs, { min: 1_000, max: 3_600_000 });
    checkNumberOption('createBatchClient', 'lease.waitMs', lease.waitMs, { min: 0, max: 86_400_000 });
  }
  return new DefaultBatchClient(options);
}

/** The longest poll interval accepted: a day. */
const maxPollIntervalLimitMs = 86_400_000;
/**
 * How long a driver waits for a lease by default: long enough to outlast another process's brief
 * `status` refresh, short enough to report a real second driver at once.
 */
const defaultLeaseWaitMs = 3_000;
/** How often a held job is checked for a cancel request from another process. */
const cancelWatchIntervalMs = 250;
/** How long `close()` waits for interrupted emulated runs to journal what ended. */
const interruptGraceMs = 5_000;

/** An emulated run of this client: its interrupt switch and its hold on the job's lease. */
interface ActiveRun {
  readonly jobId: string;
  readonly interrupt: AbortController;
  readonly lease: LeaseRef;
  /** Settles once the run has ended and its lease hold is released. */
  ended: Promise<void>;
  /** Called when the part's results are stored (for adapters that cannot say when a run ends). */
  readonly markFinished: () => void;
}

class DefaultBatchClient implements BatchClient {
  private readonly store: BatchStore;
  private readonly retryStrategy: RetryStrategy;
  private resolved: Promise<ResolvedProvider> | undefined;
  /**
   * One live copy of each job whose lease this client holds, so concurrent updates never overwrite
   * each other. Jobs driven elsewhere are read fresh from the store each time.
   */
  private readonly jobs = new Map<string, BatchJob>();
  private readonly saving = new Map<string, Promise<void>>();
  /** Emulated parts whose run lives in this client, by part id. */
  private readonly activeRuns = new Map<string, ActiveRun>();
  /** Result collection in flight per part, so two callers never store a part's results twice. */
  private readonly collecting = new Map<string, Promise<void>>();
  private readonly leases: JobLeases;
  /** Malformed adapter results seen per part, to cap their warnings. */
  private readonly malformedCounts = new Map<string, number>();

  constructor(private readonly options: BatchClientOptions) {
    this.store = options.store ?? fileStore();
    this.retryStrategy = options.retry ?? exponentialBackoff({ maxRetries: 5 });
    this.leases = new JobLeases(this.store, {
      ttlMs: options.lease?.ttlMs ?? 30_000,
      waitMs: options.lease?.waitMs ?? defaultLeaseWaitMs,
      watchIntervalMs: cancelWatchIntervalMs,
      onCancelRequested: (jobId) => {
        void this.cancel(jobId).catch(() => undefined);
      },
      onLost: (jobId) => this.interruptRuns(jobId),
    });
  }

  provider(): Promise<BatchProvider> {
    return this.resolve().then((resolved) => resolved.provider);
  }

  /**
   * Interrupts the emulated runs of this client (their calls in flight are aborted and stay pending
   * for `resume`; what ended is journaled), gives every lease up and stops the local emulator of
   * the `mock` shorthand.
   */
  async close(): Promise<void> {
    const runs = [...this.activeRuns.values()];
    for (const run of runs) run.interrupt.abort(new Error('The client was closed'));
    await Promise.race([Promise.all(runs.map((run) => run.ended)), delay(interruptGraceMs)]);
    await Promise.all([...this.saving.values()].map((saving) => saving.catch(() => undefined)));
    await this.leases.releaseAll();
    const resolved = await this.resolved?.catch(() => undefined);
    await resolved?.close?.();
  }

  /** Interrupts this client's emulated runs of one job (a lost lease). */
  private interruptRuns(jobId: string): void {
    for (const run of this.activeRuns.values()) {
      if (run.jobId === jobId) run.interrupt.abort(new Error(`The lease of job ${jobId} was lost`));
    }
  }

  // --- cost, budgets, structured output ---
  async estimate(
    requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
    options: EstimateOptions = {},
  ): Promise<CostEstimate> {
    validateSubmitOptions(options);
    const provider = await this.provider();
    const transform = requestTransform(options);
    const dryRun = await planDryRun({ requests, options, provider, previewCount: 0, ...(transform ? { transform } : {}) });
    return dryRun.estimate;
  }
  // --- end cost, budgets, structured output ---

  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options: DryRunOptions): Promise<DryRunResult>;
  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: SubmitOptions): Promise<BatchJob>;
  async submit(
    requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
    options: SubmitOptions = {},
  ): Promise<BatchJob | DryRunResult> {
    validateSubmitOptions(options);
    throwIfAborted(options.signal);
    const provider = await this.provider();
    const transform = requestTransform(options);
    // --- cost, budgets, structured output ---
    if (options['dryRun'] === true) {
      const previewCount = options['previewCount'];
      return planDryRun({
        requests,
        options,
        provider,
        ...(transform ? { transform } : {}),
        ...(typeof previewCount === 'number' ? { previewCount } : {}),
      });
    }
    // --- end cost, budgets, structured output ---
    const jobId = newJobId();
    const observers = clientExtensions.map((extension) => extension.observePlanning?.({ options, provider }));
    const watching = observers.filter((observer) => observer !== undefined);
    const plan = await planJob({
      jobId,
      input: requests,
      store: this.store,
      limits: provider.limits,
      ...(options.model === undefined ? {} : { defaultModel: options.model }),
      ...(provider.measure ? { measure: (request: BatchRequest) => provider.measure!(request) } : {}),
      ...(transform ? { transform } : {}),
      ...(watching.length === 0
        ? {}
        : {
            observe: (request: BatchRequest) => observeAll(watching, request),
          }),
    });
    const now = new Date().toISOString();
    const job: BatchJob = {
      id: jobId,
      provider: provider.name,
      mode: provider.mode,
      status: 'validating',
      counts: { total: plan.total, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: plan.total },
      createdAt: now,
      updatedAt: now,
      parts: plan.parts.map((part) => ({
        id: `${jobId}_p${part.index}`,
        index: part.index,
        status: 'validating',
        requestCount: part.requestCount,
        bytes: part.bytes,
        ...(part.model === undefined ? {} : { model: part.model }),
        submitState: 'planned',
        resultsStored: false,
      })),
      metadata: { ...options.metadata },
      warnings: [],
      options: {
        ...(options.model === undefined ? {} : { model: options.model }),
        completionWindow: options.completionWindow ?? '24h',
      },
      ...(options.retryOf === undefined ? {} : { retryOf: options.retryOf }),
    };
    try {
      for (const [position, extension] of clientExtensions.entries()) {
        await extension.beforeSubmit?.({ job, options, provider, store: this.store, observer: observers[position] });
      }
    } catch (error) {
      await this.store.deleteJob(jobId);
      throw error;
    }
    const lease = await this.leases.hold(jobId);
    try {
      this.jobs.set(jobId, job);
      await this.save(job);
      for (const part of job.parts) {
        await this.submitPart(job, part, provider, { signal: options.signal, pendingOnly: false });
      }
      return snapshot(job);
    } finally {
      await this.releaseLease(lease);
    }
  }

  /**
   * The job, brought up to date: when no other client drives it, its running parts are polled and
   * the results of ended ones stored (holding the lease meanwhile); when another does, the job as
   * that driver last stored it.
   */
  async status(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchJob> {
    if (!this.leases.holds(jobId)) {
      // An ended job is only read: no lease, no provider call.
      const stored = await this.storedSnapshot(jobId);
      if (hasEnded(stored)) return stored;
    }
    const lease = await this.leases.tryHold(jobId);
    if (!isLeaseRef(lease)) return this.storedSnapshot(jobId);
    try {
      const job = await this.load(jobId);
      const provider = await this.provider();
      for (const part of job.parts) {
        throwIfAborted(options.signal);
        await this.refreshPart(job, part, provider, options.signal);
      }
      await this.save(job);
      return snapshot(job);
    } finally {
      await this.releaseLease(lease);
    }
  }

  /**
   * Polls until the job has ended and its results are stored. When another client drives the job,
   * follows it through the store instead (and takes over if that driver goes away). `timeoutMs`
   * bounds the whole wait, status calls included.
   */
  async wait(jobId: string, options: WaitOptions = {}): Promise<BatchJob> {
    validateWaitOptions('wait', options);
    const provider = await this.provider();
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    const first = await this.storedSnapshot(jobId);
    const maxInterval = this.options.maxPollIntervalMs ?? 60_000;
    let interval =
      options.pollIntervalMs ??
      this.options.pollIntervalMs ??
      providerPollInterval(provider) ??
      (first.mode === 'emulated' ? 200 : 5_000);
    const timedOut = (current: BatchJob): LlmBatchError =>
      new LlmBatchError(`Job ${jobId} is still ${current.status} after waiting ${options.timeoutMs} ms`, { code: 'wait_timeout' });
    let current = first;
    if (hasEnded(current)) {
      options.onProgress?.(current);
      return current;
    }
    // Held from the first poll this client may drive to the end of the wait.
    let lease: LeaseRef | undefined;
    try {
      while (true) {
        const remaining = deadline === undefined ? undefined : deadline - Date.now();
        if (remaining !== undefined && remaining <= 0) throw timedOut(current);
        if (lease === undefined) {
          const attempt = await this.leases.tryHold(jobId);
          if (isLeaseRef(attempt)) lease = attempt;
        }
        if (lease !== undefined) {
          if (lease.lost.aborted) throw new JobLeasedError(jobId, (await this.store.readLease(jobId)) ?? leaseOfUnknownHolder());
          current = await this.statusWithin(jobId, options.signal, remaining, () => timedOut(current));
          options.onProgress?.(current);
          if (hasEnded(current)) return current;
          const stuck = this.stuckPart(current);
          if (stuck) throw stuck;
        } else {
          // Another client drives the job: follow what it stores.
          current = await this.storedSnapshot(jobId);
          options.onProgress?.(current);
          if (hasEnded(current)) return current;
        }
        const left = deadline === undefined ? Infinity : deadline - Date.now();
        if (left <= 0) throw timedOut(current);
        // Jitter keeps many waiting clients from polling in lockstep.
        await pollPause(Math.min(left, interval * (0.9 + Math.random() * 0.2)), provider, current, options.signal);
        if (current.mode === 'native') interval = Math.min(interval * 1.5, maxInterval);
      }
    } finally {
      if (lease !== undefined) await this.releaseLease(lease);
    }
  }

  /** `status` bounded by the time left: a hanging status call cannot outlast the deadline. */
  private async statusWithin(
    jobId: string,
    signal: AbortSignal | undefined,
    remainingMs: number | undefined,
    onTimeout: () => Error,
  ): Promise<BatchJob> {
    if (remainingMs === undefined) return this.status(jobId, signal ? { signal } : {});
    const timer = AbortSignal.timeout(Math.max(1, Math.ceil(remainingMs)));
    const bounded = signal ? AbortSignal.any([signal, timer]) : timer;
    try {
      return await this.status(jobId, { signal: bounded });
    } catch (error) {
      if (timer.aborted && !signal?.aborted) throw onTimeout();
      throw error;
    }
  }

  async *results<T = unknown>(jobId: string, options: ResultsOptions = {}): AsyncIterable<BatchResult<T>> {
    const job = await this.status(jobId, options);
    const only = options.only ? new Set(options.only) : undefined;
    // --- structured output: re-parse from the text with the caller's schema ---
    const validate = options.schema === undefined ? undefined : createOutputValidator(options.schema);
    const reparse = (result: BatchResult): BatchResult => (validate ? parseStructuredOutput(result, validate) : result);
    // --- end structured output ---
    const keep = (result: BatchResult): boolean => !only || only.has(result.status);
    if (options.order === 'completion') {
      const seen = new Set<string>();
      for await (const result of this.store.readResults(jobId)) {
        throwIfAborted(options.signal);
        if (seen.has(result.id)) continue;
        seen.add(result.id);
        const prepared = reparse(result);
        if (keep(prepared)) yield prepared as BatchResult<T>;
      }
      return;
    }
    for await (const found of resultsInInputOrder({ store: this.store, job, signal: options.signal })) {
      const result = reparse(found);
      if (keep(result)) yield result as BatchResult<T>;
    }
  }

  async errors(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchResult[]> {
    const errors: BatchResult[] = [];
    for await (const result of this.results(jobId, { ...options, only: ['failed', 'cancelled', 'expired'] })) {
      errors.push(result);
    }
    return errors;
  }

  async aggregate<T = unknown>(jobId: string, options: { signal?: AbortSignal; schema?: StructuredOutputSchema } = {}): Promise<BatchAggregate<T>> {
    const results: BatchResult<T>[] = [];
    const usage = emptyUsage();
    for await (const result of this.results<T>(jobId, options)) {
      if (result.status === 'succeeded' || result.status === 'failed') addUsage(usage, result.usage);
      if (result.metadata?.skipped === true) continue;
      results.push(result);
    }
    const job = await this.load(jobId);
    let costUsd: number | undefined;
    for (const extension of clientExtensions) {
      const cost = extension.costOf?.({ job, results, usage });
      if (cost !== undefined) costUsd = cost;
    }
    if (costUsd !== undefined && job.costUsd !== costUsd) {
      job.costUsd = costUsd;
      job.usage = usage;
      await this.save(job);
    }
    const ended = job.endedAt ? Date.parse(job.endedAt) : Date.now();
    return {
      jobId,
      status: job.status,
      counts: job.counts,
      usage,
      costUsd,
      ...(job.estimate ? { estimate: job.estimate } : {}),
      elapsedMs: Math.max(0, ended - Date.parse(job.createdAt)),
      results,
    };
  }

  /**
   * Cancels the job. When this client can drive it, the provider batches are cancelled (an emulated
   * run stops scheduling, aborts its calls and journals the rest `cancelled`). When another client
   * drives it, the cancel is recorded in the store, and that driver stops the job within a poll; the
   * job returned then carries `cancelRequestedAt` and the driver's last stored state.
   */
  async cancel(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchJob> {
    if (!this.leases.holds(jobId)) {
      const stored = await this.storedSnapshot(jobId);
      if (hasEnded(stored)) return stored;
    }
    const lease = await this.leases.tryHold(jobId);
    if (!isLeaseRef(lease)) {
      await this.store.requestCancel(jobId);
      return this.storedSnapshot(jobId);
    }
    try {
      const job = await this.load(jobId);
      const provider = await this.provider();
      job.cancelRequestedAt ??= (await this.store.cancelRequested(jobId)) ?? new Date().toISOString();
      for (const part of job.parts) {
        if (isTerminalStatus(part.status) && !submitFailed(part)) continue;
        const reference = part.reference;
        const detached = job.mode === 'emulated' && !this.activeRuns.has(part.id);
        if (part.submitState !== 'submitted' || !reference || detached) {
          // Nothing runs at the provider for this part: it is cancelled here and now.
          part.status = 'cancelled';
          continue;
        }
        await this.withRetry((signal) => provider.cancel(reference, this.callContext(job, signal)), options.signal);
        if (part.status !== 'cancelled') part.status = 'cancelling';
      }
      await this.save(job);
      return await this.status(jobId, options);
    } finally {
      await this.releaseLease(lease);
    }
  }

  async list(filter: ListFilter = {}): Promise<BatchJob[]> {
    const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat());
    const jobs = await this.store.listJobs(filter.onDamaged ? { onDamaged: filter.onDamaged } : {});
    return jobs
      .filter((job) => (statuses ? statuses.has(job.status) : true))
      .filter((job) => (filter.provider ? job.provider === filter.provider : true))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Carries an interrupted job on: parts never submitted (or whose submission failed) are submitted,
   * a part caught mid-submission is first looked for at the provider, and an emulated run goes on
   * with the requests that have no result yet. Needs the job's lease: a job another client drives
   * throws `JobLeasedError` (after `lease.waitMs`). A job someone asked to cancel is cancelled instead.
   */
  async resume(jobId: string, options: { signal?: AbortSignal } = {}): Promise<BatchJob> {
    const stored = await this.storedSnapshot(jobId);
    if (hasEnded(stored)) return stored;
    const lease = await this.leases.hold(jobId, { signal: options.signal });
    try {
      const job = await this.load(jobId);
      const provider = await this.provider();
      if (job.mode !== provider.mode || job.provider !== provider.name) {
        throw new LlmBatchError(
          `Job ${jobId} ran on ${job.provider} (${job.mode}); this client uses ${provider.name} (${provider.mode})`,
          { code: 'provider_mismatch' },
        );
      }
      if ((await this.store.cancelRequested(jobId)) !== undefined) return await this.cancel(jobId, options);
      for (const part of job.parts) {
        throwIfAborted(options.signal);
        if (isTerminalStatus(part.status) && !submitFailed(part)) continue;
        if (submitFailed(part)) {
          part.status = 'validating';
          part.error = undefined;
        }
        if (job.mode === 'emulated') {
          if (this.activeRuns.has(part.id)) continue;
          await this.submitPart(job, part, provider, { signal: options.signal, pendingOnly: true });
          continue;
        }
        if (part.submitState === 'submitted') continue;
        if (part.submitState === 'submitting' && provider.find) {
          const input = this.partInput(job, part, undefined);
          const found = await this.withRetry(
            (signal) => provider.find!(input, this.submitContext(job, part, signal)),
            options.signal,
          );
          if (found) {
            this.attach(part, found, provider);
            await this.save(job);
            continue;
          }
        }
        await this.submitPart(job, part, provider, { signal: options.signal, pendingOnly: false });
      }
      return await this.status(jobId, options);
    } finally {
      await this.releaseLease(lease);
    }
  }

  /**
   * A new job of the items that did not succeed. Holds the original job's lease meanwhile, and never
   * takes an item that succeeded at any point, whatever else its journal holds.
   */
  async retry(jobId: string, options: RetryOptions & SubmitOptions = {}): Promise<BatchJob> {
    const job = await this.status(jobId, options);
    if (!isTerminalStatus(job.status) || !hasEnded(job)) {
      throw new LlmBatchError(`Job ${jobId} is still ${job.status}; retry it once it has ended`, { code: 'job_not_ended' });
    }
    const lease = await this.leases.hold(jobId, { signal: options.signal });
    try {
      const statuses = new Set(options.statuses ?? ['failed', 'expired', 'cancelled']);
      const paid = new Set<string>();
      for await (const result of this.store.readResults(jobId)) {
        if (result.status === 'succeeded') paid.add(result.id);
      }
      const retryIds = new Set<string>();
      for await (const result of this.results(jobId, options)) {
        if (!statuses.has(result.status) || paid.has(result.id)) continue;
        if (result.status === 'failed' && !result.error.retryable) continue;
        retryIds.add(result.id);
      }
      if (retryIds.size === 0) {
        throw new LlmBatchError(`Job ${jobId} has no retryable items with status ${[...statuses].join(', ')}`, {
          code: 'nothing_to_retry',
        });
      }
      const requests = this.requestsInInputOrder(job);
      async function* retried(): AsyncGenerator<BatchRequest> {
        for await (const { request } of requests) if (retryIds.has(request.id)) yield request;
      }
      const { statuses: _statuses, ...submitOptions } = options;
      return await this.submit(retried(), {
        ...(job.options?.model === undefined ? {} : { model: job.options.model }),
        metadata: job.metadata,
        ...submitOptions,
        retryOf: jobId,
      });
    } finally {
      await this.releaseLease(lease);
    }
  }

  async run<T = unknown>(
    requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
    options: SubmitOptions & Omit<WaitOptions, 'signal'> = {},
  ): Promise<BatchAggregate<T>> {
    const job = await this.submit(requests, options);
    const signal = options.signal;
    await this.wait(job.id, {
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
    });
    return this.aggregate<T>(job.id, { ...(signal ? { signal } : {}), ...(options.schema === undefined ? {} : { schema: options.schema }) });
  }

  // ---------------------------------------------------------------------------------------------

  private resolve(): Promise<ResolvedProvider> {
    this.resolved ??= (async () => {
      const { provider, mode, store: _store, retry: _retry, pollIntervalMs: _p, maxPollIntervalMs: _m, ...rest } = this.options;
      if (typeof provider !== 'string') return { provider };
      return resolveProvider(provider, mode ?? 'native', rest);
    })();
    return this.resolved;
  }

  /** The live copy of a job whose lease this client holds (loaded once, then kept while held). */
  private async load(jobId: string): Promise<BatchJob> {
    const live = this.jobs.get(jobId);
    if (live) return live;
    const stored = await this.store.loadJob(jobId);
    if (!stored) throw new JobNotFoundError(jobId);
    // Another caller may have loaded it meanwhile: keep the first copy as the one live copy.
    const existing = this.jobs.get(jobId);
    if (existing) return existing;
    this.jobs.set(jobId, stored);
    return stored;
  }

  /**
   * The job as stored, for reading without the lease: the live copy when this client drives it,
   * else a fresh read of what its driver last saved, with any pending cancel request.
   */
  private async storedSnapshot(jobId: string): Promise<BatchJob> {
    const live = this.leases.holds(jobId) ? this.jobs.get(jobId) : undefined;
    const job = live ? snapshot(live) : await this.store.loadJob(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    if (job.cancelRequestedAt === undefined) {
      const requested = await this.store.cancelRequested(jobId);
      if (requested !== undefined) job.cancelRequestedAt = requested;
    }
    return job;
  }

  /** Releases a hold; once the job is no longer held, its live copy is dropped (after its saves). */
  private async releaseLease(lease: LeaseRef): Promise<void> {
    await this.saving.get(lease.jobId)?.catch(() => undefined);
    await lease.release();
    if (!this.leases.holds(lease.jobId)) this.jobs.delete(lease.jobId);
  }

  /** Saves after deriving status and counts; saves of one job run one after another. */
  private save(job: BatchJob): Promise<void> {
    for (const part of job.parts) {
      if (part.error !== undefined) part.error = redactSecrets(part.error);
    }
    job.warnings = job.warnings.map((warning) => redactSecrets(warning));
    job.status = deriveJobStatus(job.parts);
    job.counts = deriveJobCounts(job.parts);
    job.updatedAt = new Date().toISOString();
    if (isTerminalStatus(job.status) && job.parts.every((part) => part.resultsStored)) {
      job.endedAt ??= job.updatedAt;
    }
    const previous = this.saving.get(job.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.store.saveJob(job));
    this.saving.set(job.id, next);
    return next;
  }

  private partInput(job: BatchJob, part: BatchPart, skip: Set<string> | undefined): SubmitPart {
    const store = this.store;
    return {
      jobId: job.id,
      partId: part.id,
      index: part.index,
      ...(part.model === undefined ? {} : { model: part.model }),
      requestCount: part.requestCount - (skip?.size ?? 0),
      metadata: job.metadata,
      ...(job.options?.completionWindow ? { completionWindow: job.options.completionWindow } : {}),
      async *requests() {
        for await (const { request } of store.readRequests(job.id, part.index)) {
          if (!skip?.has(request.id)) yield request;
        }
      },
    };
  }

  private callContext(job: BatchJob, signal: AbortSignal | undefined): ProviderCallContext {
    return {
      ...(signal ? { signal } : {}),
      warn: (message) => {
        if (!job.warnings.includes(message)) job.warnings.push(message);
      },
    };
  }

  private submitContext(job: BatchJob, part: BatchPart, signal: AbortSignal | undefined): SubmitContext {
    return {
      ...this.callContext(job, signal),
      ...(part.reference ? { previous: { ...part.reference } } : {}),
      // --- cost, budgets: the emulated spending guard of `maxCostUsd` ---
      ...(budgetOf(job) ? { budget: budgetOf(job)! } : {}),
      checkpoint: async (reference: ProviderReference) => {
        part.reference = { ...part.reference, ...reference };
        await this.save(job);
      },
      recordResult: async (result: BatchResult) => {
        const checked = checkAdapterResult(result, job.provider);
        if (checked.problem !== undefined) this.warnMalformed(job, part, checked.problem);
        if (checked.result === undefined) return;
        const prepared = this.prepareResult(job, checked.result);
        await this.store.appendResults(job.id, [prepared]);
        const counts = (part.counts ??= zeroCounts(part.requestCount));
        counts[prepared.status]++;
        counts.pending = Math.max(0, counts.pending - 1);
      },
    };
  }

  private async submitPart(
    job: BatchJob,
    part: BatchPart,
    provider: BatchProvider,
    options: { signal: AbortSignal | undefined; pendingOnly: boolean },
  ): Promise<void> {
    let skip: Set<string> | undefined;
    if (options.pendingOnly) {
      skip = new Set();
      const tallies = zeroCounts(part.requestCount);
      const partIds = await this.partIds(job, part);
      for await (const result of this.store.readResults(job.id)) {
        if (!partIds.has(result.id) || skip.has(result.id)) continue;
        skip.add(result.id);
        tallies[result.status]++;
        tallies.pending--;
      }
      part.counts = tallies;
    }
    part.submitState = 'submitting';
    part.error = undefined;
    await this.save(job);
    if (provider.mode === 'emulated') {
      await this.startRun(job, part, provider, skip, options.signal);
      return;
    }
    const context = this.submitContext(job, part, options.signal);
    let reference: ProviderReference & { id: string };
    try {
      reference = await provider.submit(this.partInput(job, part, skip), context);
    } catch (error) {
      const failure = this.recordSubmitFailure(job, part, error);
      await this.save(job);
      throw failure;
    }
    this.attach(part, reference, provider);
    await this.save(job);
  }

  /**
   * A submission that failed: the part is `failed` with the (redacted) reason and the next step,
   * unless it was interrupted (then it stays as it was, for `resume`).
   */
  private recordSubmitFailure(job: BatchJob, part: BatchPart, error: unknown): unknown {
    if (isAbortError(error)) {
      part.error = 'The submission was interrupted';
      return error;
    }
    // The provider's text, classified: redacted (a 401 may echo the key) and without HTML pages.
    const classification = classifyError(error);
    part.status = 'failed';
    part.error = `The submission failed: ${classification.message}. Fix the cause, then resume the job (llm-batch resume ${job.id}) to submit this part again`;
    return providerFailure(error, `Job ${job.id}: submitting part ${part.id} failed`);
  }

  /**
   * Starts an emulated part's run in this client. The run holds the job's lease until it has ended;
   * the part is brought up to date (its results stored) the moment it does, whether or not anyone
   * waits. Closing the client, a lost lease or the submit signal interrupt it.
   */
  private async startRun(
    job: BatchJob,
    part: BatchPart,
    provider: BatchProvider,
    skip: Set<string> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const lease = await this.leases.hold(job.id);
    const interrupt = new AbortController();
    const runSignal = signal ? AbortSignal.any([interrupt.signal, signal]) : interrupt.signal;
    setMaxListeners(0, runSignal);
    let reference: ProviderReference & { id: string };
    try {
      reference = await provider.submit(this.partInput(job, part, skip), this.submitContext(job, part, runSignal));
    } catch (error) {
      const failure = this.recordSubmitFailure(job, part, error);
      await this.save(job);
      await this.releaseLease(lease);
      throw failure;
    }
    let markFinished = (): void => {};
    const partFinished = new Promise<void>((resolve) => (markFinished = resolve));
    const run: ActiveRun = { jobId: job.id, interrupt, lease, ended: Promise.resolve(), markFinished };
    this.activeRuns.set(part.id, run);
    this.attach(part, reference, provider);
    part.counts ??= zeroCounts(part.requestCount);
    await this.save(job);
    const waitForRun = (provider as { waitForRun?: (reference: ProviderReference) => Promise<void> }).waitForRun;
    const finished = typeof waitForRun === 'function' ? waitForRun.call(provider, reference) : partFinished;
    run.ended = (async () => {
      await Promise.race([finished.catch(() => undefined), partFinished, abortedPromise(runSignal)]);
      if (runSignal.aborted) {
        // Interrupted: what ended is journaled; the rest stays pending for `resume`.
        await finished.catch(() => undefined);
        this.activeRuns.delete(part.id);
        await this.save(job).catch(() => undefined);
      } else {
        await this.status(job.id).catch(() => undefined);
      }
    })().finally(() => this.releaseLease(lease));
  }

  private attach(part: BatchPart, reference: ProviderReference & { id: string }, provider: BatchProvider): void {
    part.reference = { ...part.reference, ...reference };
    part.providerBatchId = reference.id;
    part.submitState = 'submitted';
    if (provider.mode === 'emulated' && part.status === 'validating') part.status = 'in_progress';
  }

  private async refreshPart(job: BatchJob, part: BatchPart, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
    if (isTerminalStatus(part.status) && part.resultsStored) return;
    // A failed submission has no results to read: `resume` submits it again.
    if (submitFailed(part)) return;
    if (!isTerminalStatus(part.status)) {
      const reference = part.reference;
      if (part.submitState !== 'submitted' || !reference) return;
      if (job.mode === 'emulated' && !this.activeRuns.has(part.id)) return;
      const polled = await this.withRetry((retrySignal) => provider.poll(reference, this.callContext(job, retrySignal)), signal);
      part.status = polled.status;
      if (polled.rawStatus !== undefined) part.rawStatus = polled.rawStatus;
      if (polled.usage) part.usage = polled.usage;
      if (polled.error !== undefined) part.error = polled.error;
      if (polled.reference) part.reference = { ...part.reference, ...polled.reference };
      // Emulated parts count what they journal; native ones take the provider's numbers.
      if (job.mode === 'native') {
        const counts = partCountsFromReport(part.requestCount, polled.counts);
        if (counts) part.counts = counts;
      }
    }
    if (isTerminalStatus(part.status) && !part.resultsStored) await this.collectPartResults(job, part, provider, signal);
  }

  private collectPartResults(job: BatchJob, part: BatchPart, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
    let pending = this.collecting.get(part.id);
    if (!pending) {
      pending = this.storePartResults(job, part, provider, signal).finally(() => this.collecting.delete(part.id));
      this.collecting.set(part.id, pending);
    }
    return pending;
  }

  /**
   * Reads a terminal part's results into the journal exactly once per request: results already
   * journaled (an emulated run, or a crash mid-read) are not written again, unknown ids are
   * reported, and every request with no result gets one, so nothing is ever dropped.
   */
  private async storePartResults(job: BatchJob, part: BatchPart, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
    if (this.everyResultJournaledLive(job, part, provider)) {
      await this.finishPart(job, part, provider, signal);
      return;
    }
    const partIds = await this.partIds(job, part);
    const stored = new Set<string>();
    const tallies = zeroCounts(part.requestCount);
    const count = (result: BatchResult): void => {
      stored.add(result.id);
      tallies[result.status]++;
      tallies.pending--;
    };
    for await (const result of this.store.readResults(job.id)) {
      if (partIds.has(result.id) && !stored.has(result.id)) count(result);
    }
    const reference = part.reference;
    if (reference && part.submitState === 'submitted') {
      await this.withRetry(async (retrySignal) => {
        const context = this.callContext(job, retrySignal);
        let buffer: BatchResult[] = [];
        const unknownIds: string[] = [];
        try {
          for await (const raw of provider.results(reference, context)) {
            // The adapter's results are checked before anything trusts them: a malformed one is a
            // failed item naming the defect, one with no usable id a warning.
            const checked = checkAdapterResult(raw, provider.name);
            if (checked.problem !== undefined) this.warnMalformed(job, part, checked.problem);
            if (checked.result === undefined) continue;
            if (!partIds.has(checked.result.id)) {
              unknownIds.push(checked.result.id);
              continue;
            }
            if (stored.has(checked.result.id)) continue;
            const result = this.prepareResult(job, checked.result);
            count(result);
            buffer.push(result);
            if (buffer.length >= 1_000) {
              await this.store.appendResults(job.id, buffer);
              buffer = [];
            }
          }
        } finally {
          // Results counted as stored must be in the journal even when the download breaks off:
          // the retry skips them, so an unwritten buffer would be lost for good.
          await this.store.appendResults(job.id, buffer);
          if (unknownIds.length > 0) {
            const shown = unknownIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
            const more = unknownIds.length > 5 ? ` and ${unknownIds.length - 5} more` : '';
            context.warn(
              `Part ${part.id}: the provider returned ${unknownIds.length} result(s) for unknown id(s) ${shown}${more}; they were ignored`,
            );
          }
        }
      }, signal);
    }
    let missing: BatchResult[] = [];
    for (const id of partIds) {
      if (stored.has(id)) continue;
      // Through the extensions too: items a budget stop never started get category `budget`.
      const result = this.prepareResult(job, synthesizeMissingResult(id, part, job.mode));
      count(result);
      missing.push(result);
      if (missing.length >= 1_000) {
        await this.store.appendResults(job.id, missing);
        missing = [];
      }
    }
    await this.store.appendResults(job.id, missing);
    part.counts = tallies;
    await this.finishPart(job, part, provider, signal);
  }

  /**
   * True when an emulated run in this process journaled a result for every request of the part:
   * its counts, kept by `recordResult` from the journal on resume onwards, have nothing pending. The
   * adapter hands each request exactly one terminal result, so the reconciling read of the requests and
   * the journal would find nothing to add.
   */
  private everyResultJournaledLive(job: BatchJob, part: BatchPart, provider: BatchProvider): boolean {
    if (job.mode !== 'emulated' || !this.activeRuns.has(part.id) || part.counts === undefined) return false;
    // Only our own emulated adapter promises one result per request; others are reconciled.
    if ((provider as { [journalsEachResultOnce]?: boolean })[journalsEachResultOnce] !== true) return false;
    const { succeeded, failed, cancelled, expired, pending } = part.counts;
    return pending === 0 && succeeded + failed + cancelled + expired === part.requestCount;
  }

  private async finishPart(job: BatchJob, part: BatchPart, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
    const reference = part.reference;
    part.resultsStored = true;
    this.activeRuns.get(part.id)?.markFinished();
    this.activeRuns.delete(part.id);
    await this.save(job);
    if (reference && provider.cleanup) {
      await provider.cleanup(reference, this.callContext(job, signal)).catch((error: unknown) => {
        this.callContext(job, signal).warn(`Part ${part.id}: clean-up failed: ${(error as Error).message}`);
      });
    }
  }

  /** A malformed adapter result, as a job warning: the first few per part, then one count. */
  private warnMalformed(job: BatchJob, part: BatchPart, problem: string): void {
    const seen = (this.malformedCounts.get(part.id) ?? 0) + 1;
    this.malformedCounts.set(part.id, seen);
    if (seen <= 5) this.callContext(job, undefined).warn(`Part ${part.id}: ${problem}`);
    else if (seen === 6) this.callContext(job, undefined).warn(`Part ${part.id}: more malformed results from the adapter; see the failed items`);
  }

  private prepareResult(job: BatchJob, result: BatchResult): BatchResult {
    let prepared = result;
    for (const extension of clientExtensions) {
      if (extension.prepareResult) prepared = extension.prepareResult(prepared, job);
    }
    // The one redaction path, before anything reaches the store: provider errors echo keys.
    if (prepared.status !== 'succeeded') {
      if (typeof prepared.error?.message === 'string') {
        const message = redactSecrets(prepared.error.message);
        if (message !== prepared.error.message) prepared = { ...prepared, error: { ...prepared.error, message } };
      }
      if (prepared.status === 'failed' && prepared.raw !== undefined) {
        const raw = JSON.stringify(prepared.raw);
        const redacted = raw === undefined ? undefined : redactSecrets(raw);
        if (redacted !== undefined && redacted !== raw) prepared = { ...prepared, raw: JSON.parse(redacted) as unknown };
      }
    }
    return prepared;
  }

  private async partIds(job: BatchJob, part: BatchPart): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const { request } of this.store.readRequests(job.id, part.index)) ids.add(request.id);
    return ids;
  }

  private requestsInInputOrder(job: BatchJob): AsyncIterable<StoredRequest> {
    return mergeByIndex(job.parts.map((part) => this.store.readRequests(job.id, part.index)));
  }

  private stuckPart(job: BatchJob): LlmBatchError | undefined {
    for (const part of job.parts) {
      if (submitFailed(part)) {
        return new LlmBatchError(`Job ${job.id}: part ${part.id}: ${part.error ?? 'the submission failed'}`, { code: 'job_interrupted' });
      }
      if (isTerminalStatus(part.status)) continue;
      if (part.submitState !== 'submitted') {
        return new LlmBatchError(
          `Job ${job.id}: part ${part.id} was never submitted${part.error ? ` (${part.error})` : ''}; call resume("${job.id}")`,
          { code: 'job_interrupted' },
        );
      }
      if (job.mode === 'emulated' && !this.activeRuns.has(part.id)) {
        return new LlmBatchError(
          `Job ${job.id} runs in emulated mode and its run is not in this process (it was interrupted); call resume("${job.id}") to continue it`,
          { code: 'job_interrupted' },
        );
      }
    }
    return undefined;
  }

  private withRetry<T>(operation: (signal: AbortSignal | undefined) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return runWithRetry((_attempt, retrySignal) => operation(retrySignal), {
      strategy: this.retryStrategy,
      ...(signal ? { signal } : {}),
    }).catch((error: unknown) => {
      throw providerFailure(error, 'The provider call failed');
    });
  }
}

function validateSubmitOptions(options: SubmitOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('submit: options must be an object');
  if (options.model !== undefined && (typeof options.model !== 'string' || options.model === '')) {
    throw new TypeError(`submit: option "model" must be a non-empty string, got ${JSON.stringify(options.model)}`);
  }
  if (options.metadata !== undefined) {
    if (typeof options.metadata !== 'object' || options.metadata === null || Array.isArray(options.metadata)) {
      throw new TypeError('submit: option "metadata" must be an object of string values');
    }
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== 'string') {
        throw new TypeError(`submit: option "metadata.${key}" must be a string, got ${JSON.stringify(value)}`);
      }
    }
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('submit: option "signal" must be an AbortSignal');
  }
}

/** Hands a planned request to every observer; waits only for those that return a promise. */
function observeAll(observers: readonly PlanningObserver[], request: BatchRequest): void | Promise<void> {
  let pending: Promise<void> | undefined;
  for (const observer of observers) {
    const observed = observer.observe(request);
    if (observed) pending = pending ? pending.then(() => observed) : observed;
  }
  return pending;
}

/**
 * The pause between two polls of `wait`. An adapter whose runs live in this process (the emulated
 * one) says when a run has ended, so `wait` returns the moment the last result is journaled
 * instead of up to a poll interval later.
 */
async function pollPause(milliseconds: number, provider: BatchProvider, job: BatchJob, signal: AbortSignal | undefined): Promise<void> {
  const waitForRun = (provider as { waitForRun?: unknown }).waitForRun;
  const running = job.parts.filter((part) => part.reference !== undefined && !isTerminalStatus(part.status));
  if (typeof waitForRun !== 'function' || running.length === 0) {
    await delay(milliseconds, { signal });
    return;
  }
  const timer = new AbortController();
  const stopTimer = (): void => timer.abort();
  signal?.addEventListener('abort', stopTimer, { once: true });
  const ended = Promise.all(running.map((part) => (waitForRun as (reference: unknown) => Promise<void>).call(provider, part.reference)));
  try {
    await Promise.race([delay(milliseconds, { signal: timer.signal }).catch(() => undefined), ended.catch(() => undefined)]);
  } finally {
    timer.abort();
    signal?.removeEventListener('abort', stopTimer);
  }
  throwIfAborted(signal);
}

function providerPollInterval(provider: BatchProvider): number | undefined {
  const value = (provider as { pollIntervalMs?: unknown }).pollIntervalMs;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function newJobId(): string {
  return `job_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

function zeroCounts(total: number): NonNullable<BatchPart['counts']> {
  return { total, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: total };
}

function snapshot(job: BatchJob): BatchJob {
  return structuredClone(job);
}

function chain(first: (request: BatchRequest) => BatchRequest, second: (request: BatchRequest) => BatchRequest) {
  return (request: BatchRequest) => second(first(request));
}

/** The client extensions' request changes (structured output ...) chained in order. */
function requestTransform(options: Readonly<Record<string, unknown>>): ((request: BatchRequest) => BatchRequest) | undefined {
  let transform: ((request: BatchRequest) => BatchRequest) | undefined;
  for (const extension of clientExtensions) {
    const next = extension.transformRequest?.(options);
    if (next) transform = transform ? chain(transform, next) : next;
  }
  return transform;
}


function isLeaseRef(value: LeaseRef | JobLease): value is LeaseRef {
  return 'release' in value;
}

/** Ended: terminal, with every part's results in the store. */
function hasEnded(job: BatchJob): boolean {
  return isTerminalStatus(job.status) && job.parts.every((part) => part.resultsStored);
}

/** A part whose submission failed: `failed` without ever reaching the provider; `resume` submits it again. */
function submitFailed(part: BatchPart): boolean {
  return part.status === 'failed' && part.submitState !== 'submitted';
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function leaseOfUnknownHolder(): JobLease {
  const now = new Date().toISOString();
  return { holder: { id: 'unknown', host: 'unknown', pid: 0 }, acquiredAt: now, expiresAt: now };
}

function validateWaitOptions(where: string, options: WaitOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  checkNumberOption(where, 'pollIntervalMs', options.pollIntervalMs, { min: 1, max: maxPollIntervalLimitMs });
  checkNumberOption(where, 'timeoutMs', options.timeoutMs, { min: 0, max: 2_147_483_647 });
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`${where}: option "signal" must be an AbortSignal`);
  }
}

/**
 * What the client throws for a provider call that failed: the SDK's error is not passed on, since
 * its message, body and headers may hold the key. The classification (redacted, HTML pages
 * condensed) keeps what a caller needs: the message, category, status and whether to retry.
 * Our own errors and aborts pass through.
 */
function providerFailure(error: unknown, context: string): unknown {
  if (LlmBatchError.isInstance(error) || isAbortError(error)) return error;
  const classification = classifyError(error);
  const failure = new LlmBatchError(`${context}: ${classification.message}`, { code: 'provider_error' });
  return Object.assign(failure, {
    category: classification.category,
    retryable: classification.retryable,
    ...(classification.statusCode === undefined ? {} : { statusCode: classification.statusCode }),
  });
}
