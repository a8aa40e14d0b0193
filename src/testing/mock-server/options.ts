/**
 * Public options and types of the local provider emulator.
 */
import { checkOptionKeys, optionNames } from '../../validation/check-options.js';

/** Which wire protocol a request spoke. */
export type MockProvider = 'openai' | 'anthropic' | 'gemini';

/** Stable names of the emulated endpoints, used for latency, faults, the journal and statistics. */
export type MockEndpoint =
  | 'files.upload'
  | 'files.retrieve'
  | 'files.content'
  | 'files.delete'
  | 'files.list'
  | 'batches.create'
  | 'batches.retrieve'
  | 'batches.list'
  | 'batches.cancel'
  | 'chat.completions'
  | 'responses'
  | 'embeddings'
  | 'messages'
  | 'messages.count_tokens'
  | 'messages.batches.create'
  | 'messages.batches.retrieve'
  | 'messages.batches.list'
  | 'messages.batches.cancel'
  | 'messages.batches.delete'
  | 'messages.batches.results'
  | 'gemini.generateContent'
  | 'gemini.countTokens'
  | 'gemini.batches.create'
  | 'gemini.batches.get'
  | 'gemini.batches.list'
  | 'gemini.batches.cancel'
  | 'gemini.batches.delete'
  | 'gemini.files.upload'
  | 'gemini.files.get'
  | 'gemini.files.list'
  | 'gemini.files.delete'
  | 'gemini.files.download'
  | 'gemini.caches.create'
  | 'gemini.caches.get'
  | 'gemini.caches.list'
  | 'gemini.caches.update'
  | 'gemini.caches.delete'
  | 'unknown';

/** The endpoints that generate model output synchronously (rate limits and default faults apply to these). */
export const generationEndpoints: readonly MockEndpoint[] = [
  'chat.completions',
  'responses',
  'embeddings',
  'messages',
  'gemini.generateContent',
];

/**
 * A latency: a fixed number of milliseconds, or a lognormal distribution given by its median and 99th
 * percentile (drawn from the seeded source).
 */
export type LatencySpec = number | { readonly p50: number; readonly p99: number };

/**
 * Fault kinds. HTTP faults apply to any endpoint when forced with the `x-mock-fault` header and to the
 * endpoints in `faults.endpoints` when drawn by rate. `truncated` applies to downloads (file content,
 * Anthropic results, Gemini file downloads). `expire` and `fail-validation` apply to batch creation.
 * `safety` applies to Gemini `generateContent` only: the prompt is blocked (`promptFeedback.blockReason`).
 */
export type FaultKind =
  | '500'
  | '502'
  | '503'
  | '529'
  | '429'
  | 'insufficient_quota'
  | 'reset'
  | 'hang'
  | 'malformed'
  | 'truncated'
  | 'expire'
  | 'fail-validation'
  | 'safety';

/** Every fault kind, for validation and documentation. */
export const faultKinds: readonly FaultKind[] = [
  '500',
  '502',
  '503',
  '529',
  '429',
  'insufficient_quota',
  'reset',
  'hang',
  'malformed',
  'truncated',
  'expire',
  'fail-validation',
  'safety',
];

/** The request handed to a `respond` function. */
export interface MockRequest {
  readonly provider: MockProvider;
  /** The API path without query, e.g. `/v1/chat/completions`, `/v1/messages` or `/v1beta/models/gemini-2.5-flash:generateContent`. */
  readonly endpoint: string;
  /** The parsed JSON request body (for batch items: the item's `body` / `params`). */
  readonly body: Record<string, unknown>;
  /** Set when the request is an item of a native batch (Gemini: `id` is `batches/...`, `customId` the key, else the index). */
  readonly batch?: { readonly id: string; readonly customId: string };
}

/** A tool call the scripted model should make. */
export interface MockToolCall {
  readonly name: string;
  /** Arguments as an object (serialised for OpenAI) or an already serialised JSON string. */
  readonly arguments: Record<string, unknown> | string;
  readonly id?: string;
}

/** Token usage a scripted answer may report instead of the estimate. */
export interface MockUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cachedTokens?: number;
  readonly reasoningTokens?: number;
  readonly cacheCreationTokens?: number;
}

/** A scripted answer. Anything left out falls back to the deterministic default. */
export interface MockAnswer {
  readonly text?: string;
  readonly toolCalls?: readonly MockToolCall[];
  /**
   * Provider-neutral; mapped to `finish_reason` / `stop_reason` / Gemini `finishReason` (`length` -> `max_tokens` / `MAX_TOKENS`,
   * `tool_calls` -> `tool_use` / `STOP`, `content_filter` -> Gemini `SAFETY` with no content).
   */
  readonly finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  readonly usage?: MockUsage;
  /** An HTTP status >= 400 turns the answer into a provider error (inside a batch: a failed item). */
  readonly status?: number;
  /** Error details for `status`; `type` defaults from the status. */
  readonly error?: { readonly message?: string; readonly type?: string; readonly code?: string | null; readonly param?: string | null };
  /** Embedding vectors for `/v1/embeddings`, one per input. */
  readonly embeddings?: readonly (readonly number[])[];
}

/** Scripts the model: return a partial answer, or undefined for the deterministic default. */
export type MockResponder = (request: MockRequest) => MockAnswer | undefined | Promise<MockAnswer | undefined>;

/** Timing of the native batch lifecycles (all providers). */
export interface MockBatchOptions {
  /**
   * `real`: the batch clock follows wall time (plus whatever `advance()` added).
   * `manual`: time stands still until `advance(ms)` moves it, for fully deterministic tests.
   * @default 'real'
   */
  readonly clock?: 'real' | 'manual';
  /** How long an OpenAI batch stays `validating` (and a Gemini job `BATCH_STATE_PENDING`). @default 100 */
  readonly validatingMs?: number;
  /**
   * How long the requests take: a total for the whole batch, or `{ perRequest }` milliseconds per request.
   * Requests finish one after another over that span, so `request_counts` grow during `in_progress`.
   * @default 500
   */
  readonly processingMs?: number | { readonly perRequest: number };
  /** How long an OpenAI batch stays `finalizing`. @default 100 */
  readonly finalizingMs?: number;
  /** How long `cancelling` / `canceling` lasts before the batch is cancelled / ended. @default 100 */
  readonly cancellingMs?: number;
  /** The completion window: unfinished requests expire after this. @default 86_400_000 (24 h) */
  readonly expireAfterMs?: number;
  /** Most requests in one OpenAI batch (`too_many_tasks` above). @default 50_000 */
  readonly maxOpenAIRequests?: number;
  /** Most requests in one Anthropic batch. @default 100_000 */
  readonly maxAnthropicRequests?: number;
  /** Largest OpenAI batch input file in bytes. @default 209_715_200 (200 MB) */
  readonly maxInputFileBytes?: number;
  /** Largest Anthropic batch create body in bytes (413 `request_too_large` above). @default 268_435_456 (256 MB) */
  readonly maxAnthropicBodyBytes?: number;
  /** The Gemini batch window: a job still pending or running after this ends `BATCH_STATE_EXPIRED` with no results. @default 172_800_000 (48 h) */
  readonly geminiExpireAfterMs?: number;
  /** Send `error_file_id: ""` instead of null for batches without errors, as the real API sometimes does. @default false */
  readonly emptyStringErrorFileId?: boolean;
}

/** Faults drawn at random (seeded) or forced per request with the `x-mock-fault` header. */
export interface MockFaultOptions {
  /** Probability in [0, 1] that an eligible request gets a fault drawn uniformly from `kinds`. @default 0 */
  readonly rate?: number;
  /** The kinds `rate` draws from. @default ['500', '503', '429'] */
  readonly kinds?: readonly FaultKind[];
  /** Probability per kind, checked independently of `rate`. @default {} */
  readonly rates?: Partial<Record<FaultKind, number>>;
  /** Endpoints eligible for random faults (the header works everywhere). @default the generation endpoints */
  readonly endpoints?: readonly MockEndpoint[];
  /** `retry-after` of injected 429s in milliseconds. @default 1000 */
  readonly retryAfterMs?: number;
  /**
   * When a drawn or forced HTTP error fault (429, 5xx, 529, `insufficient_quota`) is answered:
   * `after-latency` waits the endpoint's latency first, as a successful call would; `at-once` answers
   * it the moment the request is read, as real providers answer a rate-limited or shed call (a
   * success still takes the latency). `reset`, `hang`, `malformed` and `truncated` are unaffected.
   * @default 'after-latency'
   */
  readonly timing?: 'after-latency' | 'at-once';
}

/** Faults inside native batches. */
export interface MockBatchFaultOptions {
  /** Fraction of batch items answered with an error instead of a model answer. @default 0 */
  readonly itemErrorRate?: number;
  /** The HTTP status of those item errors. @default 500 */
  readonly itemErrorStatus?: number;
  /** Probability that a new batch expires halfway through processing (as the `expire` fault). @default 0 */
  readonly expireRate?: number;
  /** Probability that a new OpenAI batch fails validation (as the `fail-validation` fault). @default 0 */
  readonly failValidationRate?: number;
  /** Probability that a result line is left out of the output / results file. @default 0 */
  readonly dropLineRate?: number;
  /** Probability that a result line carries a custom_id that was never submitted. @default 0 */
  readonly unknownCustomIdRate?: number;
  /** Cut every batch output / results download mid-line. @default false */
  readonly truncateResults?: boolean;
  /** Fraction of Gemini batch items answered with a safety block (`promptFeedback.blockReason: 'SAFETY'`). @default 0 */
  readonly safetyBlockRate?: number;
}

/** Token-bucket rate limits, per provider, on the generation endpoints. */
export interface MockRateLimitOptions {
  /** Requests per minute; unlimited when absent. */
  readonly requestsPerMinute?: number;
  /** Tokens per minute (estimated input + max output tokens); unlimited when absent. */
  readonly tokensPerMinute?: number;
  /** Output tokens assumed when a request sets no max tokens. @default 1024 */
  readonly defaultMaxTokens?: number;
}

/** Options of {@link createMockProviderServer}. */
export interface MockProviderServerOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Seed of every random choice. @default 1 */
  readonly seed?: number;
  /** Accept only these API keys; any non-empty key when absent. */
  readonly apiKeys?: readonly string[];
  /** Latency for the generation endpoints, or per endpoint (`default` covers the rest). @default 0 */
  readonly latency?: LatencySpec | (Partial<Record<MockEndpoint, LatencySpec>> & { readonly default?: LatencySpec });
  /** Rate limits applied to each provider separately, or per provider. */
  readonly rateLimit?: MockRateLimitOptions | { readonly openai?: MockRateLimitOptions; readonly anthropic?: MockRateLimitOptions; readonly gemini?: MockRateLimitOptions };
  /** Random and forced faults. */
  readonly faults?: MockFaultOptions;
  /** Faults inside native batches. */
  readonly batchFaults?: MockBatchFaultOptions;
  /** Batch lifecycle timing and limits. */
  readonly batch?: MockBatchOptions;
  /** Scripts the answers; the deterministic default answers everything else. */
  readonly respond?: MockResponder;
  /** Keep request bodies in the journal (off by default to keep memory flat on long runs). @default false */
  readonly journalBodies?: boolean;
  /** Most journal entries kept; older ones are dropped (counters keep counting). @default 100_000 */
  readonly journalLimit?: number;
  /**
   * Key under which successful generation calls are counted in `stats().successfulCallsByKey`.
   * @default the `x-mock-key` request header, else the text of the last user message
   */
  readonly callKey?: (request: MockRequest & { readonly headers: Readonly<Record<string, string | string[] | undefined>> }) => string | undefined;
  /** Largest accepted file upload in bytes. @default 536_870_912 (512 MB) */
  readonly maxUploadBytes?: number;
  /** Dimensions of default embedding vectors when the request sets none. @default 64 */
  readonly embeddingDimensions?: number;
  /**
   * Spelling of response header names. `lowercase` as HTTP/2 front ends (and the real OpenAI and
   * Anthropic APIs) send them; `canonical` capitalises each word (`Retry-After`,
   * `X-Ratelimit-Remaining-Requests`, `X-Request-Id`), as many HTTP/1.1 servers of OpenAI-compatible
   * APIs do, to check that a client reads headers case-insensitively.
   * @default 'lowercase'
   */
  readonly headerNames?: 'lowercase' | 'canonical';
}

/** One journal entry per request. Keys and bodies are never recorded unless `journalBodies` is set. */
export interface JournalEntry {
  readonly method: string;
  readonly path: string;
  status: number;
  readonly startedAt: number;
  durationMs: number;
  readonly provider: MockProvider;
  readonly endpoint: MockEndpoint;
  fault?: FaultKind;
  body?: unknown;
  /** Request headers without credentials. Only kept with `journalBodies`. */
  headers?: Record<string, string>;
}

/** Counters kept for the whole life of the server, independent of the journal limit. */
export interface MockServerStats {
  requests: number;
  byEndpoint: Partial<Record<MockEndpoint, number>>;
  byStatus: Record<string, number>;
  faults: Partial<Record<FaultKind, number>>;
  rateLimited: number;
  successfulCalls: { openai: number; anthropic: number; gemini: number };
  successfulCallsByKey: Record<string, number>;
  batchesCreated: { openai: number; anthropic: number; gemini: number };
  /** Files uploaded to the OpenAI and the Gemini Files APIs. */
  filesUploaded: number;
}

/** A short view of one native batch. */
export interface MockBatchSummary {
  readonly provider: MockProvider;
  readonly id: string;
  /** OpenAI `status`, Anthropic `processing_status` or Gemini `metadata.state`. */
  readonly status: string;
  readonly total: number;
}

/** The running emulator. */
export interface MockProviderServer {
  /** Origin, e.g. `http://127.0.0.1:43121`. OpenAI clients use `url + '/v1'`, Anthropic and Gemini clients `url`. */
  readonly url: string;
  readonly port: number;
  /** Requests seen, oldest first (bounded by `journalLimit`). */
  readonly journal: JournalEntry[];
  /** Moves the batch clock forward and brings every batch up to date. */
  advance(ms: number): Promise<void>;
  /** The batch clock in epoch milliseconds. */
  now(): number;
  /** Forgets files, batches, journal, counters and rate-limit state. */
  reset(): void;
  stats(): MockServerStats;
  /** The native batches, brought up to date. */
  batches(): Promise<MockBatchSummary[]>;
  /** The wire object of one batch (OpenAI `Batch`, Anthropic `MessageBatch`, Gemini batch operation), brought up to date. */
  getBatch(id: string): Promise<Record<string, unknown> | undefined>;
  /** Stops listening, ends open connections (including hung ones). */
  close(): Promise<void>;
}

const where = 'createMockProviderServer()';

const serverOptionNames = optionNames<MockProviderServerOptions>({
  port: true,
  host: true,
  seed: true,
  apiKeys: true,
  latency: true,
  rateLimit: true,
  faults: true,
  batchFaults: true,
  batch: true,
  respond: true,
  journalBodies: true,
  journalLimit: true,
  callKey: true,
  maxUploadBytes: true,
  embeddingDimensions: true,
  headerNames: true,
});
const batchOptionNames = optionNames<MockBatchOptions>({
  clock: true,
  validatingMs: true,
  processingMs: true,
  finalizingMs: true,
  cancellingMs: true,
  expireAfterMs: true,
  maxOpenAIRequests: true,
  maxAnthropicRequests: true,
  maxInputFileBytes: true,
  maxAnthropicBodyBytes: true,
  emptyStringErrorFileId: true,
  geminiExpireAfterMs: true,
});
const faultOptionNames = optionNames<MockFaultOptions>({ rate: true, kinds: true, rates: true, endpoints: true, retryAfterMs: true, timing: true });
const batchFaultOptionNames = optionNames<MockBatchFaultOptions>({
  itemErrorRate: true,
  itemErrorStatus: true,
  expireRate: true,
  failValidationRate: true,
  dropLineRate: true,
  unknownCustomIdRate: true,
  truncateResults: true,
  safetyBlockRate: true,
});
const rateLimitOptionNames = optionNames<MockRateLimitOptions>({ requestsPerMinute: true, tokensPerMinute: true, defaultMaxTokens: true });
const providerNames = optionNames<Record<MockProvider, unknown>>({ openai: true, anthropic: true, gemini: true });
const endpointNames = optionNames<Record<MockEndpoint, unknown>>({
  'files.upload': true,
  'files.retrieve': true,
  'files.content': true,
  'files.delete': true,
  'files.list': true,
  'batches.create': true,
  'batches.retrieve': true,
  'batches.list': true,
  'batches.cancel': true,
  'chat.completions': true,
  responses: true,
  embeddings: true,
  messages: true,
  'messages.count_tokens': true,
  'messages.batches.create': true,
  'messages.batches.retrieve': true,
  'messages.batches.list': true,
  'messages.batches.cancel': true,
  'messages.batches.delete': true,
  'messages.batches.results': true,
  'gemini.generateContent': true,
  'gemini.countTokens': true,
  'gemini.batches.create': true,
  'gemini.batches.get': true,
  'gemini.batches.list': true,
  'gemini.batches.cancel': true,
  'gemini.batches.delete': true,
  'gemini.files.upload': true,
  'gemini.files.get': true,
  'gemini.files.list': true,
  'gemini.files.delete': true,
  'gemini.files.download': true,
  'gemini.caches.create': true,
  'gemini.caches.get': true,
  'gemini.caches.list': true,
  'gemini.caches.update': true,
  'gemini.caches.delete': true,
  unknown: true,
});

/**
 * Refuses unknown keys in the emulator's options, nested objects included, all at once per object,
 * with a ValidationError naming each and the closest known name: a misspelt `latecy` or
 * `batch.procesingMs` would otherwise run a test without the condition it was written for.
 */
export function checkMockServerOptionKeys(options: MockProviderServerOptions): void {
  const rateLimit = options.rateLimit;
  const byProvider = typeof rateLimit === 'object' && rateLimit !== null && ('openai' in rateLimit || 'anthropic' in rateLimit || 'gemini' in rateLimit);
  const latency = options.latency;
  // A latency object is either one lognormal spec ({ p50, p99 }) or specs by endpoint.
  const byEndpoint = typeof latency === 'object' && latency !== null && !('p50' in latency) && !('p99' in latency);
  checkOptionKeys(where, options, serverOptionNames, {
    nested: {
      batch: { known: batchOptionNames },
      faults: { known: faultOptionNames },
      batchFaults: { known: batchFaultOptionNames },
      rateLimit: byProvider
        ? { known: providerNames, nested: { openai: { known: rateLimitOptionNames }, anthropic: { known: rateLimitOptionNames }, gemini: { known: rateLimitOptionNames } } }
        : { known: rateLimitOptionNames },
      ...(byEndpoint ? { latency: { known: [...endpointNames, 'default'] } } : {}),
    },
  });
}
