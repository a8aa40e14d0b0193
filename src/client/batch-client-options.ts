import type { z } from 'zod';
import type { StoreDamageError } from '../errors/store-damage-error.js';
import type { BatchJob, JobStatus } from '../models/batch-job.js';
import type { BatchResult, ItemStatus } from '../models/batch-result.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { assertRetryStrategy } from '../retry/assert-retry-strategy.js';
import type { RetryStrategy } from '../retry/retry-strategy.js';
import type { BatchStore } from '../store/batch-store.js';
import type { CostOptions } from '../cost/cost-extension.js';
import type { StructuredOutputSchema } from '../structured-output/structured-output-schema.js';
import type { JsonSchema } from '../structured-output/validate-json-schema.js';
import { checkNumberOption, checkOptionKeys, failOption } from '../validation/check-options.js';
import type { LeaseOptions } from './job-leases.js';
import { validateClientHooks } from './validate-client-hooks.js';
import type { JobObserver, Logger } from './client-observers.js';
import type { LlmBatchConfig, LoadedConfig } from './config-file.js';
import { validateRequestDefaults, type RequestDefaults } from './apply-defaults.js';
import { validatePriorityOptions, type JobPriority } from './job-priority.js';
import { validateDisplayCurrency, type DisplayCurrency } from '../cost/currency.js';
import { assertProviderShorthand, type ProviderShorthand, type ShorthandOptions } from './resolve-provider.js';

/** Options of `createBatchClient`. */
export interface BatchClientOptions extends ShorthandOptions {
  /**
   * The adapter: an adapter value (`openaiBatch()`, `anthropicBatch()`, `emulated({...})`, your own),
   * or a shorthand resolved on first use: `'openai'` or `'anthropic'`, configured by the shorthand
   * options (`apiKey`, `baseURL`, `concurrency`, `emulated`), or the name of a provider registered
   * with `registerProvider`. For the local emulator, pass the `provider` of
   * `createMockBatchProvider()` from `llm-batch/testing`.
   */
  readonly provider?: BatchProvider | ProviderShorthand | (string & {});
  /**
   * A config (docs/config-file.md): the path of an `llm-batch.config.json` or `.yaml` file
   * (relative to the working directory), `true` to find one from the working directory up as the
   * CLI does, what `loadConfig()` read, or the same settings as an object. A file is read on the
   * first call of any method (the client is made at once; nothing is sent before it is read, and
   * a bad file rejects that call naming each bad key and line). It supplies the provider (when `provider` is not
   * given), each provider's mode, key variable and base URL, the store folder, the poll intervals,
   * the request defaults and the models' `maxRequestsPerPart` and prices; options given here win.
   */
  readonly config?: string | true | LlmBatchConfig | LoadedConfig;
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
   * @default { ttlMs: 30_000, waitMs: 3_000 }
   */
  readonly lease?: LeaseOptions;
  /**
   * Receive every event of every job, in every mode: an emulated run's (`job.started`,
   * `retry.scheduled`, `cooldown.started`, `item.failed` ...) and a native part's (`part.submitted`,
   * `part.polled` with counts, `part.ended`, `item.result`, `results.read`). `metricsObserver()` fits.
   */
  readonly observers?: readonly JobObserver[];
  /** Called with every result once it is journaled, in every mode (native results as they are read). */
  readonly onResult?: (result: BatchResult, job: { readonly id: string }) => void | Promise<void>;
  /**
   * Where the library logs what it decides: parts submitted, polls, retries and why, cooldowns,
   * items that failed for good. Any `{ debug, info, warn, error }` (console, pino, winston); every
   * message is redacted.
   */
  readonly logger?: Logger;
  /** What every request gets unless it sets it (model, system, temperature, maxTokens, tools, schema). */
  readonly defaults?: RequestDefaults;
  /**
   * Show estimates and costs in this currency as well (`estimate.converted`, `aggregate.converted`,
   * the CLI's lines); prices and stored costs stay in USD.
   * @example { code: 'EUR', perUsd: 0.92 }
   */
  readonly currency?: DisplayCurrency;
}

/** Options of `submit` and `run`. */
export interface SubmitOptions extends CostOptions {
  /** The model of requests that name none. */
  readonly model?: string;
  /** String pairs stored with the job and sent as provider batch metadata where supported. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Stored with the job, shown by `status` and `list`, and sent as provider batch metadata
   * (`priority`). OpenAI requests also get it as `service_tier` with `serviceTierFromPriority`.
   * @default 'normal'
   */
  readonly priority?: JobPriority;
  /**
   * Send the priority as OpenAI's `service_tier` on each request that sets none (low: `flex`,
   * normal: `default`, high: `priority`); shown in the preview. @default false
   */
  readonly serviceTierFromPriority?: boolean;
  /** Native batches: the provider's completion window. @default '24h' */
  readonly completionWindow?: string;
  /** Aborts the submission; for an emulated job, also interrupts its run (the rest stays for `resume`). */
  readonly signal?: AbortSignal;
  /** Share of `maxTokens` a request is expected to use, for the estimate. @default 0.5 */
  readonly expectedOutputRatio?: number;
  /**
   * Structured output: a zod schema or a JSON schema. Every request asks for it, every answer is
   * parsed and validated; an invalid one is `failed` with category `validation` (retryable).
   */
  readonly schema?: StructuredOutputSchema;
  /** The schema's name sent to the provider. @default 'response' */
  readonly schemaName?: string;
  /** Whether the provider is asked to follow the schema strictly. @default true */
  readonly strict?: boolean;
  /**
   * `checked`: every request is checked and stored before the first call; one bad request refuses
   * the whole job (a `ValidationError` naming every bad item) and nothing is sent.
   * `streaming` (emulated providers): calls start while the input is still read; a bad request
   * fails alone, as a `failed` result of category `invalid_request`, and the rest run. See
   * docs/large-jobs.md.
   * @default 'checked'
   */
  readonly intake?: 'checked' | 'streaming';
  /**
   * Called once the job is stored and submitted, before `submit` resolves; with
   * `intake: 'streaming'`, as soon as its run has started, while the input is still being read (to
   * follow a long job from its start: `wait(job.id, { onProgress })`). A throw becomes a job warning.
   */
  readonly onSubmitted?: (job: BatchJob) => void;
}

/** Options of a dry run: `submit(requests, { dryRun: true })` estimates and previews, and sends and stores nothing. */
export interface DryRunOptions extends SubmitOptions {
  readonly dryRun: true;
  /** How many provider bodies to preview. @default 3 */
  readonly previewCount?: number;
}

/** Options of `wait`. */
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

/** Options of `run`: those of `submit` and `wait` together. */
export interface RunOptions<T = unknown> extends SubmitOptions, Omit<WaitOptions, 'signal'> {
  readonly schema?: TypedSchema<T>;
  /**
   * Reject with a `JobFailedError` when the job ends `failed` (fail-fast, an `abortOn` category, a
   * part the provider failed); the error's `aggregate` holds every result that was stored.
   * @default false (the aggregate is returned with `status: 'failed'`)
   */
  readonly throwOnFailure?: boolean;
  /**
   * Keep every result in the returned aggregate's `results` (in input order). `false` leaves
   * `results` empty and computes the counts, usage and cost streaming, so memory does not grow with
   * the job; read the results with `results(jobId)`. For jobs of hundreds of thousands of requests.
   * @default true
   */
  readonly keepResults?: boolean;
}

/** Options of `results`. */
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

/** Options of `retry`: which items, and the submit options of the new job. */
export interface RetryOptions extends SubmitOptions {
  /** Which results to retry; failed ones only when their error is retryable. @default ['failed', 'expired', 'cancelled'] */
  readonly statuses?: readonly ItemStatus[];
}

/** Options of `aggregate`. */
export interface AggregateOptions<T = unknown> {
  readonly signal?: AbortSignal;
  readonly schema?: TypedSchema<T>;
  /** See {@link RunOptions.keepResults}. @default true */
  readonly keepResults?: boolean;
}

export interface ListFilter {
  readonly status?: JobStatus | readonly JobStatus[];
  readonly provider?: string;
  /** Called for each job whose manifest cannot be read (it is not in the list, and not hidden either). */
  readonly onDamaged?: (error: StoreDamageError) => void;
}

/** A schema that types results: a zod schema infers `T`, a JSON schema leaves it to you. */
export type TypedSchema<T> = z.ZodType<T> | JsonSchema;

/** The longest poll interval accepted: a day. */
export const maxPollIntervalLimitMs = 86_400_000;

const shorthandKeys = ['apiKey', 'baseURL', 'concurrency', 'emulated'] as const;
const clientKeys = ['provider', 'config', 'mode', 'store', 'retry', 'pollIntervalMs', 'maxPollIntervalMs', 'lease', 'defaults', 'currency', 'observers', 'onResult', 'logger', ...shorthandKeys] as const;
const costKeys = ['maxCostUsd', 'pricing', 'exactTokens'] as const;
const submitKeys = ['model', 'metadata', 'priority', 'serviceTierFromPriority', 'completionWindow', 'signal', 'expectedOutputRatio', 'schema', 'schemaName', 'strict', 'onSubmitted', ...costKeys] as const;
const waitKeys = ['pollIntervalMs', 'timeoutMs', 'onProgress', 'signal'] as const;
/** Known keys per method: every options object is closed, so a typo never switches a feature off. */
export const knownOptionKeys = {
  createBatchClient: clientKeys,
  submit: [...submitKeys, 'intake', 'dryRun', 'previewCount'],
  estimate: [...costKeys, 'model', 'mode', 'onWarning', 'signal', 'expectedOutputRatio', 'schema', 'schemaName', 'strict'],
  run: [...new Set([...submitKeys, ...waitKeys, 'intake', 'throwOnFailure', 'keepResults'])],
  wait: waitKeys,
  results: ['order', 'only', 'signal', 'schema'],
  retry: [...submitKeys, 'statuses'],
  aggregate: ['signal', 'schema', 'keepResults'],
  list: ['status', 'provider', 'onDamaged'],
  status: ['signal'],
  errors: ['signal'],
  cancel: ['signal'],
  resume: ['signal'],
} as const satisfies Record<string, readonly string[]>;

/** Checks `createBatchClient`'s options: closed keys, known modes, bounded numbers. */
export function validateClientOptions(options: BatchClientOptions): void {
  const where = 'createBatchClient()';
  checkOptionKeys(where, options, knownOptionKeys.createBatchClient, { nested: { lease: { known: ['ttlMs', 'waitMs'] } } });
  const provider: unknown = options.provider;
  if (provider === undefined || provider === null || (typeof provider !== 'string' && typeof provider !== 'object')) {
    failOption(where, 'provider', 'an adapter, or "openai" or "anthropic"', provider);
  }
  if (typeof provider === 'string') assertProviderShorthand(provider);
  // Checked here, not at the first poll: there a bad strategy would surface as a failed provider call.
  if (options.retry !== undefined) assertRetryStrategy(options.retry, 'retry');
  if (options.mode !== undefined && options.mode !== 'native' && options.mode !== 'emulated') {
    failOption(where, 'mode', '"native" or "emulated"', options.mode);
  }
  for (const name of ['pollIntervalMs', 'maxPollIntervalMs'] as const) {
    checkNumberOption(where, name, options[name], { min: 1, max: maxPollIntervalLimitMs });
  }
  if (typeof provider !== 'string') {
    const shorthandOnly = shorthandKeys.find((key) => options[key] !== undefined);
    if (shorthandOnly !== undefined) {
      // It configures the shorthand providers only: with an adapter value it would do nothing.
      const expected = 'left out with an adapter value (it configures "openai" and "anthropic"; give it to the adapter you created)';
      failOption(where, shorthandOnly, expected, options[shorthandOnly], shorthandOnly === 'apiKey' ? 'a key' : undefined);
    }
  }
  validateRequestDefaults(where, options.defaults);
  validateDisplayCurrency(where, options.currency);
  validateClientHooks(where, options);
  const lease = options.lease;
  if (lease !== undefined) {
    if (typeof lease !== 'object' || lease === null) failOption(where, 'lease', 'an object { ttlMs?, waitMs? }', lease);
    checkNumberOption(where, 'lease.ttlMs', lease.ttlMs, { min: 1_000, max: 3_600_000 });
    checkNumberOption(where, 'lease.waitMs', lease.waitMs, { min: 0, max: 86_400_000 });
  }
}

/** Checks the options of `submit` (and of `run`, `retry` and `estimate`, with their own keys). */
export function validateSubmitOptions(options: SubmitOptions, method: keyof typeof knownOptionKeys = 'submit'): void {
  const where = `${method}()`;
  checkOptionKeys(where, options, knownOptionKeys[method]);
  if (options.model !== undefined && (typeof options.model !== 'string' || options.model === '')) {
    failOption(where, 'model', 'a non-empty string', options.model);
  }
  if (options.metadata !== undefined) {
    if (typeof options.metadata !== 'object' || options.metadata === null || Array.isArray(options.metadata)) {
      failOption(where, 'metadata', 'an object of string values', options.metadata);
    }
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== 'string') failOption(where, `metadata.${key}`, 'a string', value);
    }
  }
  validatePriorityOptions(where, options);
  checkSignal(method, options.signal);
  const throwOnFailure = (options as RunOptions).throwOnFailure;
  if (throwOnFailure !== undefined && typeof throwOnFailure !== 'boolean') failOption(where, 'throwOnFailure', 'a boolean', throwOnFailure);
  if (options.onSubmitted !== undefined && typeof options.onSubmitted !== 'function') failOption(where, 'onSubmitted', 'a function', options.onSubmitted);
  if (options.intake !== undefined && options.intake !== 'checked' && options.intake !== 'streaming') failOption(where, 'intake', '"checked" or "streaming"', options.intake);
  if (options.intake === 'streaming' && 'dryRun' in options && (options as DryRunOptions).dryRun === true) failOption(where, 'intake', '"checked" in a dry run (a dry run reads the whole input)', options.intake);
  const keepResults = (options as RunOptions).keepResults;
  if (keepResults !== undefined && typeof keepResults !== 'boolean') failOption(where, 'keepResults', 'a boolean', keepResults);
}

/** Checks the options of `wait` (and the wait part of `run`). */
export function validateWaitOptions(method: keyof typeof knownOptionKeys, options: WaitOptions): void {
  checkOptionKeys(`${method}()`, options, knownOptionKeys[method]);
  checkNumberOption(`${method}()`, 'pollIntervalMs', options.pollIntervalMs, { min: 1, max: maxPollIntervalLimitMs });
  checkNumberOption(`${method}()`, 'timeoutMs', options.timeoutMs, { min: 0, max: 2_147_483_647 });
  checkSignal(method, options.signal);
}

/** Checks an options object of a reading method: closed keys and a real signal. */
export function validateReadOptions(method: keyof typeof knownOptionKeys, options: object & { readonly signal?: AbortSignal | undefined }): void {
  checkOptionKeys(`${method}()`, options, knownOptionKeys[method]);
  checkSignal(method, options.signal);
}

function checkSignal(method: string, signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) failOption(`${method}()`, 'signal', 'an AbortSignal', signal);
}
