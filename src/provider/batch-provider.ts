import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { JobBilling, JobMode, JobStatus, ProviderReference } from '../models/batch-job.js';
import type { RunEvent } from '../models/run-event.js';
import type { Usage } from '../models/usage.js';
import type { ErrorClassification } from '../errors/error-classification.js';

/** How big one provider batch may be. The planner splits a job so that no part passes these. */
export interface ProviderLimits {
  /** Most requests in one part. */
  readonly maxRequests: number;
  /** Most serialized bytes (of the provider's request lines) in one part. */
  readonly maxBytes: number;
  /** Whether every request of a part must use the same model (OpenAI). */
  readonly oneModelPerPart: boolean;
  /** The custom id rule of the provider, checked before any call. */
  readonly idPattern?: RegExp;
}

/** A part of a job as handed to an adapter. */
export interface SubmitPart {
  readonly jobId: string;
  readonly partId: string;
  readonly index: number;
  /** The part's model when the adapter needs one model per part. */
  readonly model?: string;
  /** How many requests `requests()` yields. */
  readonly requestCount: number;
  /**
   * The part's requests, streamed from the store in input order. On resume of an emulated job it
   * yields only the requests that have no terminal result yet.
   */
  requests(): AsyncIterable<BatchRequest>;
  /** Job metadata (string pairs) for the provider's batch metadata. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Native only: the completion window asked for, e.g. `24h`. */
  readonly completionWindow?: string;
}

/** What the core offers an adapter during a call. */
export interface ProviderCallContext {
  /**
   * Aborts the call. In `submit` of an emulated adapter it lives as long as the run: when it aborts
   * (the client closed, Ctrl-C, the job's lease lost), the run is interrupted: it stops scheduling,
   * aborts its calls in flight and records no result for them, so `resume` runs them.
   */
  readonly signal?: AbortSignal;
  /** Adds a job warning (shown to the user, persisted). */
  warn(message: string): void;
}

export interface SubmitContext extends ProviderCallContext {
  /**
   * Persists a partial reference before a step that must not be repeated after a crash (for
   * example the uploaded file id before creating the batch). Resolves once it is durable.
   */
  checkpoint(reference: ProviderReference): Promise<void>;
  /** The reference checkpointed by an earlier, interrupted submit of this part, if any. */
  readonly previous?: ProviderReference;
  /**
   * Emulated adapters: journals one terminal result durably as soon as it exists. Native adapters
   * never call it (their results are read through `results()`).
   */
  recordResult(result: BatchResult): Promise<void>;
  /**
   * Emulated adapters: the client's observers (and logger); the run hands it each of its events,
   * after its own observers. Absent when the client has none.
   */
  readonly observe?: (event: { readonly type: string }) => void;
  /**
   * Emulated adapters: journals events of the run (429s, cooldowns, the concurrency window,
   * retries) apart from the results, for the viewer. Absent when the job's store keeps none.
   */
  recordRunEvents?(events: readonly RunEvent[]): Promise<void>;
  /**
   * Emulated adapters: the job's spending guard (set from the `maxCostUsd` submit option).
   * `reserve` before an item's first call (false: do not start it, the budget is spent),
   * `settle` with the item's usage once it ended.
   */
  readonly budget?: {
    reserve(request: BatchRequest): boolean | Promise<boolean>;
    settle(request: BatchRequest, usage: Usage | undefined): void;
  };
}

/** A part's state as the provider sees it. */
export interface PollResult {
  status: JobStatus;
  /** The provider's own status string, kept verbatim. */
  rawStatus?: string;
  /** Counts reported by the provider, when it reports them (Anthropic: only once ended). */
  counts?: { succeeded?: number; failed?: number; cancelled?: number; expired?: number; pending?: number };
  usage?: Usage;
  /** Why the part failed as a whole (validation errors of the input file ...). */
  error?: string;
  /** Updated reference (for example result file ids once known). Merged into the stored one. */
  reference?: ProviderReference;
}

/**
 * The contract every adapter implements: only the provider's part. The core does validation,
 * planning, persistence, polling, correlation, ordering, aggregation, cost and budget.
 */
export interface BatchProvider {
  readonly name: string;
  readonly mode: JobMode;
  /**
   * The price its calls are billed at, when it is not its mode's: `batch` (the model's batch
   * discount) or `sync` (the synchronous price). An adapter with a native lifecycle (submit, then
   * poll) whose work is done by synchronous calls (`distributed()`: its workers call the sync API)
   * declares `sync`, so the estimate at submit, `maxCostUsd`, dry runs, `estimate()` and the
   * aggregate's cost price its jobs at the synchronous price. Stored with the job.
   * @default 'batch' for native adapters, 'sync' for emulated ones
   */
  readonly billing?: JobBilling;
  readonly limits: ProviderLimits;
  /** Creates the provider batch for one part and returns its reference (must include `id`). */
  submit(part: SubmitPart, context: SubmitContext): Promise<ProviderReference & { id: string }>;
  poll(reference: ProviderReference, context: ProviderCallContext): Promise<PollResult>;
  /** The results of a terminal part, in any order, one per request the provider knows about. */
  results(reference: ProviderReference, context: ProviderCallContext): AsyncIterable<BatchResult>;
  cancel(reference: ProviderReference, context: ProviderCallContext): Promise<void>;
  /** Finds a batch created for this part before a crash (by metadata), so it is not created twice. */
  find?(part: SubmitPart, context: SubmitContext): Promise<(ProviderReference & { id: string }) | undefined>;
  /**
   * Native adapters: looks up a batch created elsewhere (`client.attach`), so that the client can
   * follow it as a job: its reference, and its requests when the provider still has them (OpenAI's
   * input file); without them its results are kept under the ids they carry, and `retry` is refused.
   */
  attach?(batchId: string, context: ProviderCallContext): Promise<AttachedBatch>;
  /** The provider body of one request (dry runs and previews). */
  preview?(request: BatchRequest): unknown;
  /** Serialized size of one request as the provider will receive it, for planning by bytes. */
  measure?(request: BatchRequest): number;
  /** Optional clean-up once a part's results are stored (delete files, archive batches). */
  cleanup?(reference: ProviderReference, context: ProviderCallContext): Promise<void>;
  /**
   * Exact token count of a request's input from the provider's own tokenizer. When present, estimates
   * (`estimate`, dry runs, the estimate stored at submit) use it instead of the built-in counting,
   * unless told `exactTokens: false`. It must not call the network: an estimate never does.
   */
  countTokens?(request: BatchRequest): number | Promise<number>;
  /**
   * Input tokens that each request reads from a cache the adapter manages and that the request
   * itself does not carry (Gemini context caching: the shared prefix). Estimates add them to the
   * request's input tokens and price them at the model's cached-input rate. Must not call the network.
   */
  cachedInputTokens?(request: BatchRequest): number;
  /**
   * How often the client polls this adapter's parts by default, in milliseconds (the client's and
   * `wait`'s `pollIntervalMs` win). A provider that updates slowly asks for a long interval.
   * @default 200 ms for emulated adapters, 5,000 ms for native ones
   */
  readonly pollIntervalMs?: number;
  /**
   * Adapters whose runs live in this process (emulated mode): resolves once the run behind
   * `reference` has ended and every one of its results was handed to `recordResult`. The client
   * then stores the part's results at once (whether or not anyone waits) and `wait` returns
   * without waiting for its next poll. Without it, the client learns of the end by polling.
   */
  waitForRun?(reference: ProviderReference): Promise<void>;
  /**
   * Emulated mode: `true` when the adapter promises exactly one terminal result per request through
   * `recordResult`. The client then trusts the counts it kept from them and skips the reconciling
   * read of the part's requests against the journal when the run ends. Leave it unset unless the
   * conformance suite's "one result per request" check passes for every run.
   */
  readonly journalsEachResultOnce?: boolean;
  /**
   * How the client classifies a failure of this adapter's control-plane calls (poll, results,
   * cancel, find) to decide on retries; the built-in `classifyError` when absent. The adapters'
   * `classifyError` option sets it.
   */
  classifyError?(error: unknown): ErrorClassification;
  /**
   * The model this adapter sends for a request that names none (an emulated adapter: its call
   * strategy's `model` option). The planner fills it into such requests, after the submit's
   * `model` option and the client's `defaults.model`, so the stored request, the preview and the
   * estimate name it.
   */
  readonly defaultModel?: string;
  /**
   * Adapters over a synchronous API (emulated mode): runs one request now, as an item of a job
   * would run (same call strategy, classifier and retries), and returns its terminal result, a
   * failure as a value. `client.complete()` calls it. Nothing is stored.
   */
  complete?(request: BatchRequest, context: ProviderCallContext): Promise<BatchResult>;
}

/** A provider batch found by {@link BatchProvider.attach}. */
export interface AttachedBatch {
  /** What the client stores to poll, read and cancel it (must include `id`). */
  readonly reference: ProviderReference & { id: string };
  /** How many requests the batch holds. */
  readonly requestCount: number;
  /** The model of its requests, when they share one. */
  readonly model?: string;
  /** The batch's own metadata (string pairs). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The batch's requests, in their input order, when the provider keeps them; absent when it does not. */
  requests?(): AsyncIterable<BatchRequest>;
}
