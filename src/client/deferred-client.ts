import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchJob } from '../models/batch-job.js';
import type { BatchRequestInput } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { answerAsyncDispose, asyncDisposeKey } from './async-dispose.js';
import type { AttachOptions } from './attach-batch.js';
import type { AggregateOptions, DryRunOptions, ListFilter, ResultsOptions, RetryOptions, RunOptions, SubmitOptions, TypedSchema, WaitOptions } from './batch-client-options.js';
import type { BatchClient } from './batch-client.js';
import type { CompleteOptions } from './complete-one.js';
import type { DryRunResult, EstimateOptions } from './plan-dry-run.js';

type Requests = Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>;

/**
 * A client whose making needs a file read first (`createBatchClient({ config: 'path' })`): it is
 * returned at once, and the first call of any method loads the config and makes the real client;
 * every call waits for it, so nothing is sent, stored or read before the config is in. A bad config
 * rejects every call with its error (naming each bad key and line). `close()` before any call
 * loads nothing.
 */
export function deferredClient(make: () => Promise<BatchClient>): BatchClient {
  return answerAsyncDispose(new DeferredClient(make), (client) => client.close());
}

class DeferredClient implements BatchClient {
  #client: Promise<BatchClient> | undefined;

  constructor(private readonly make: () => Promise<BatchClient>) {}

  #ready(): Promise<BatchClient> {
    this.#client ??= this.make();
    return this.#client;
  }

  submit(requests: Requests, options: DryRunOptions): Promise<DryRunResult>;
  submit(requests: Requests, options?: SubmitOptions): Promise<BatchJob>;
  async submit(requests: Requests, options?: SubmitOptions | DryRunOptions): Promise<BatchJob | DryRunResult> {
    return (await this.#ready()).submit(requests, options as SubmitOptions);
  }

  async complete<T = unknown>(request: BatchRequestInput, options?: CompleteOptions): Promise<BatchResult<T>> {
    return (await this.#ready()).complete<T>(request, options);
  }

  async estimate(requests: Requests, options?: EstimateOptions): Promise<CostEstimate> {
    return (await this.#ready()).estimate(requests, options);
  }

  async status(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob> {
    return (await this.#ready()).status(jobId, options);
  }

  async wait(jobId: string, options?: WaitOptions): Promise<BatchJob> {
    return (await this.#ready()).wait(jobId, options);
  }

  async *results<T = unknown>(jobId: string, options?: ResultsOptions): AsyncIterable<BatchResult<T>> {
    yield* (await this.#ready()).results<T>(jobId, options as (ResultsOptions & { schema?: TypedSchema<T> }) | undefined);
  }

  async errors(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchResult[]> {
    return (await this.#ready()).errors(jobId, options);
  }

  async aggregate<T = unknown>(jobId: string, options?: AggregateOptions<T>): Promise<BatchAggregate<T>> {
    return (await this.#ready()).aggregate<T>(jobId, options);
  }

  async cancel(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob> {
    return (await this.#ready()).cancel(jobId, options);
  }

  async list(filter?: ListFilter): Promise<BatchJob[]> {
    return (await this.#ready()).list(filter);
  }

  async attach(options: AttachOptions): Promise<BatchJob> {
    return (await this.#ready()).attach(options);
  }

  async resume(jobId: string, options?: { signal?: AbortSignal }): Promise<BatchJob> {
    return (await this.#ready()).resume(jobId, options);
  }

  async retry(jobId: string, options?: RetryOptions): Promise<BatchJob> {
    return (await this.#ready()).retry(jobId, options);
  }

  async run<T = unknown>(requests: Requests, options?: RunOptions<T>): Promise<BatchAggregate<T>> {
    return (await this.#ready()).run<T>(requests, options);
  }

  async provider(): Promise<BatchProvider> {
    return (await this.#ready()).provider();
  }

  /** Closes the client if it was made; a config that failed to load left nothing to close. */
  async close(): Promise<void> {
    if (this.#client === undefined) return;
    const client = await this.#client.catch(() => undefined);
    await client?.close();
  }

  [asyncDisposeKey](): Promise<void> {
    return this.close();
  }
}
