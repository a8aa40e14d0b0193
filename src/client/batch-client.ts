import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchJob } from '../models/batch-job.js';
import type { BatchRequestInput } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type {
  AggregateOptions,
  DryRunOptions,
  ListFilter,
  ResultsOptions,
  RetryOptions,
  RunOptions,
  SubmitOptions,
  TypedSchema,
  WaitOptions,
} from './batch-client-options.js';
import type { DryRunResult, EstimateOptions } from './plan-dry-run.js';
import type { AttachOptions } from './attach-batch.js';
import type { CompleteOptions } from './complete-one.js';

/** The one client: submit, follow and read jobs on any adapter. */
export interface BatchClient extends AsyncDisposable {
  /** A dry run: estimate, planned parts and the first provider bodies; nothing is sent or stored. */
  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options: DryRunOptions): Promise<DryRunResult>;
  /** Validates, plans, stores and submits a job; an emulated job's run starts in this client. */
  submit(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: SubmitOptions): Promise<BatchJob>;
  /**
   * One request now, through the same call strategy, classifier and retries as a job's item (on a
   * native shorthand, the provider's synchronous API); a failure comes back as a value. Nothing is stored.
   */
  complete<T = unknown>(request: BatchRequestInput, options?: CompleteOptions): Promise<BatchResult<T>>;
  /** What the requests would cost (batch and sync price, tokens, savings), without any network call. */
  estimate(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: EstimateOptions): Promise<CostEstimate>;
  /** The job, up to date: polled when this client can drive it, as its driver stored it otherwise. */
  status(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob>;
  /** Waits until the job has ended and its results are stored. */
  wait(jobId: string, options?: WaitOptions): Promise<BatchJob>;
  /** The job's results, one per request, streamed from the store. */
  results<T = unknown>(jobId: string, options?: ResultsOptions & { schema?: TypedSchema<T> }): AsyncIterable<BatchResult<T>>;
  /** The failed, cancelled and expired results. */
  errors(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchResult[]>;
  /** Counts, usage, cost and every result. */
  aggregate<T = unknown>(jobId: string, options?: AggregateOptions<T>): Promise<BatchAggregate<T>>;
  /** Cancels the job (from any process: a job driven elsewhere is stopped by its driver). */
  cancel(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob>;
  list(filter?: ListFilter): Promise<BatchJob[]>;
  /**
   * Imports a batch created elsewhere (`{ provider: 'openai', batchId: 'batch_...' }`) into the
   * store as a job, so that `status`, `wait`, `results`, `errors` and `retry` work on it.
   */
  attach(options: AttachOptions): Promise<BatchJob>;
  /** Carries an interrupted job on; throws `JobLeasedError` while another client drives it. */
  resume(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob>;
  /** A new job of the items that did not succeed. */
  retry(jobId: string, options?: RetryOptions): Promise<BatchJob>;
  /** `submit`, `wait` and `aggregate` in one call. */
  run<T = unknown>(requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>, options?: RunOptions<T>): Promise<BatchAggregate<T>>;
  /** The adapter in use (resolving a shorthand). */
  provider(): Promise<BatchProvider>;
  /** Interrupts this client's emulated runs and gives its leases up. */
  close(): Promise<void>;
}
