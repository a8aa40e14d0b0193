import { assertRetryStrategy } from '../../retry/assert-retry-strategy.js';
import { checkNumberOption, checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import type { RetryStrategy } from '../../retry/retry-strategy.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import { errorCategories, type ErrorCategory } from '../../models/item-error.js';
import type { Usage } from '../../models/usage.js';
import type { CallStrategy } from '../../provider/call-strategy.js';
import type { ErrorClassification } from '../../errors/error-classification.js';
import { composeClassifier, type ErrorClassifier } from '../../errors/custom-classifier.js';
import type { EmulatedMiddleware } from './middleware.js';
import type { EmulatedObserver } from './observers.js';
import { rateLimitOptionShape, resolveRateLimitTuning, type EmulatedRateLimitTuning, type ResolvedRateLimitTuning } from './rate-limit-tuning.js';
import type { EmulatedTools } from './tool-loop.js';

/** What to do with an item that failed for good. */
export type ErrorStrategy = 'continue' | 'fail-fast' | 'skip';

/** Local rate limits, and the limiter's knobs ({@link EmulatedRateLimitTuning}). */
export interface EmulatedRateLimitOptions extends EmulatedRateLimitTuning {
  /**
   * Requests per minute, enforced locally with a token bucket: a finite number of at least 1 (a
   * fraction is fine). Unlimited (or learned) when absent.
   */
  readonly requestsPerMinute?: number;
  /**
   * Tokens per minute (estimated before the call from characters / 4 + `maxTokens`, corrected from
   * usage): a finite number of at least 1.
   */
  readonly tokensPerMinute?: number;
}

/** Progress of one emulated run, reported after every terminal result. */
export interface EmulatedProgress {
  /** The item whose terminal result this report follows. */
  readonly id: string;
  /** Its status. */
  readonly status: BatchResult['status'];
  /** Terminal results recorded by this run. */
  readonly done: number;
  /** Requests handed to this run (on resume: the ones still to do). */
  readonly total?: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Items being worked on now (calling, waiting for a permit or a retry). */
  readonly inFlight: number;
  /** Terminal results per second since the run started. */
  readonly ratePerSecond: number;
}

/**
 * A spending guard (the `maxCostUsd` budget plugs in here): `reserve` before each item's first call,
 * `settle` with the real usage once it ended.
 */
export interface EmulatedBudget {
  /** False stops the run: the item is `cancelled` with category `budget` and nothing new is scheduled. */
  reserve(request: BatchRequest): boolean | Promise<boolean>;
  settle(request: BatchRequest, usage?: Usage): void;
}

/** Options of `emulated()`. */
export interface EmulatedOptions {
  /** How to call the provider: `openaiChat()`, `openaiResponses()`, `anthropicMessages()` or your own strategy. */
  readonly call: CallStrategy;
  /**
   * The most calls in flight at once, and the most workers (they start as requests arrive, so a
   * short job costs only as many as it has requests). An item waiting out a retry delay (a 429's
   * retry-after, a backoff) lends its worker to the next item meanwhile, so up to twice this many
   * items may be in progress, never more calls than this.
   *
   * An integer from 1 to 20,000. The bound is what the largest published rate limits can use: 30,000
   * requests a minute with calls of 40 s each keeps 20,000 in flight (Little's law); beyond it,
   * calls only wait in the local rate limiter or meet 429s, and each one in flight holds a connection.
   * @default 16
   * @example emulated({ call: openaiChat(), concurrency: 64 })
   */
  readonly concurrency?: number;
  /**
   * The retry policy of each item (the only retry loop: SDK clients run with `maxRetries: 0`).
   * 429 and 529 answers do not count against it (see `maxRateLimitRetries`).
   * @default exponentialBackoff({ maxRetries: 5 })
   */
  readonly retry?: RetryStrategy;
  readonly rateLimit?: EmulatedRateLimitOptions;
  /**
   * Per call; a call that takes longer is aborted as a retryable `timeout`. From 1 ms to 2^31-1 ms
   * (about 24.8 days, the longest timer Node keeps). @default 60_000
   */
  readonly timeoutMs?: number;
  /**
   * `continue`: failed items are recorded and the run goes on. `fail-fast`: the first item that
   * fails for good stops the run (in-flight calls are aborted and their items cancelled; the run
   * ends `failed`). `skip`: like `continue`, but failed results carry `skipped: true` so
   * that aggregates can leave them out while counting them.
   * @default 'continue'
   */
  readonly errorStrategy?: ErrorStrategy;
  /**
   * Requests read ahead of the workers; the source is pulled only as they free up. An integer from 1
   * to 100,000 (more only holds more requests in memory). @default 2 × concurrency
   */
  readonly maxQueueSize?: number;
  /**
   * 429/529 answers an item may wait out before it fails (they do not consume `retry`). An integer
   * from 0 to 1,000 (each wait lasts up to a minute). @default 20
   */
  readonly maxRateLimitRetries?: number;
  /** Error categories that stop the whole run (`failed`) at the first occurrence. @default ['auth', 'insufficient_quota'] */
  readonly abortOn?: readonly ErrorCategory[];
  /**
   * Extends or replaces the built-in error classification of every failed call: called with the
   * error and the built-in verdict; return a classification (spread the verdict to extend it), or
   * undefined to keep it. It decides retries, `retryAfterMs`, `abortOn` and the failed result.
   */
  readonly classifyError?: ErrorClassifier;
  readonly middleware?: readonly EmulatedMiddleware[];
  /** Receive every event; see `metricsObserver()`. */
  readonly observers?: readonly EmulatedObserver[];
  /**
   * Keep the provider's full response on each succeeded result as `raw` (the call strategy's
   * response body; in a tool loop, every call's response in order). It is stored in the journal.
   * @default false
   */
  readonly includeRaw?: boolean;
  /** Called with every terminal result once it is journaled. */
  readonly onResult?: (result: BatchResult) => void | Promise<void>;
  readonly onProgress?: (progress: EmulatedProgress) => void;
  /** Tools executed locally when the model calls them (added to requests that list no tools). */
  readonly tools?: EmulatedTools;
  /** Further model calls per item that answer tool results: an integer from 0 to 100. @default 5 */
  readonly maxToolIterations?: number;
  readonly budget?: EmulatedBudget;
  /**
   * How often the client polls an emulated run (it is in-process, so polling is cheap). From 1 ms to
   * 2^31-1 ms. @default the client's
   */
  readonly pollIntervalMs?: number;
}

/** The options with defaults applied. */
export interface ResolvedEmulatedOptions {
  readonly call: CallStrategy;
  readonly concurrency: number;
  readonly retry: RetryStrategy | undefined;
  readonly requestsPerMinute: number | undefined;
  readonly tokensPerMinute: number | undefined;
  /** Whether any adaptive signal is on. */
  readonly adaptive: boolean;
  /** The limiter's knobs and the quick-retry budget. */
  readonly rateLimitTuning: ResolvedRateLimitTuning;
  readonly timeoutMs: number;
  readonly errorStrategy: ErrorStrategy;
  readonly maxQueueSize: number;
  readonly maxRateLimitRetries: number;
  readonly abortOn: ReadonlySet<ErrorCategory>;
  /** The built-in classifier, or it followed by the `classifyError` option. */
  readonly classify: (error: unknown) => ErrorClassification;
  readonly middleware: readonly EmulatedMiddleware[];
  readonly observers: readonly EmulatedObserver[];
  readonly onResult: EmulatedOptions['onResult'];
  readonly includeRaw: boolean;
  readonly onProgress: EmulatedOptions['onProgress'];
  readonly tools: EmulatedTools | undefined;
  readonly maxToolIterations: number;
  readonly budget: EmulatedBudget | undefined;
  readonly pollIntervalMs: number | undefined;
}

/** The largest `concurrency` (the CLI's `--concurrency` too): see {@link EmulatedOptions.concurrency} for why. */
export const maxConcurrency = 20_000;
const maxQueueSize = 100_000;
const maxRateLimitRetries = 1_000;
const maxToolIterations = 100;
/** The longest delay `setTimeout` keeps; a longer one fires at once. */
const maxTimerMs = 2_147_483_647;
const where = 'emulated()';

const emulatedOptionNames = optionNames<EmulatedOptions>({
  call: true,
  concurrency: true,
  retry: true,
  rateLimit: true,
  timeoutMs: true,
  errorStrategy: true,
  maxQueueSize: true,
  maxRateLimitRetries: true,
  abortOn: true,
  classifyError: true,
  middleware: true,
  observers: true,
  onResult: true,
  includeRaw: true,
  onProgress: true,
  tools: true,
  maxToolIterations: true,
  budget: true,
  pollIntervalMs: true,
});
const rateLimitOptionNames = optionNames<Omit<EmulatedRateLimitOptions, keyof EmulatedRateLimitTuning>>({ requestsPerMinute: true, tokensPerMinute: true });

/** An integer from `min` to `max` (NaN, Infinity, fractions and anything else are refused), or `fallback` when absent. */
function integerOption(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  checkNumberOption(where, option, value, { min, max, integer: true });
  return value ?? fallback;
}

/** A number of milliseconds from 1 to 2^31-1, or `fallback` when absent. */
function millisecondsOption<T extends number | undefined>(option: string, value: number | undefined, fallback: T): number | T {
  checkNumberOption(where, option, value, { min: 1, max: maxTimerMs });
  return value ?? fallback;
}

/** A finite per-minute rate of at least 1, or undefined when absent. */
function rateOption(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) failOption(where, option, 'a finite number of at least 1 (per minute)', value);
  return value;
}

function optionalFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') failOption(where, option, 'a function', value);
}

/**
 * Validates the options at once and applies defaults. An unknown key or a bad value is a
 * ValidationError naming the option (and the closest known name, or the value).
 */
export function resolveEmulatedOptions(options: EmulatedOptions): ResolvedEmulatedOptions {
  checkOptionKeys(where, options, emulatedOptionNames, { nested: { rateLimit: rateLimitOptionShape(options.rateLimit, rateLimitOptionNames) } });
  const call = options.call;
  if (typeof call !== 'object' || call === null || typeof call.call !== 'function') {
    failOption(where, 'call', 'a call strategy with a call(request, context) method', call);
  }
  if (typeof call.name !== 'string' || call.name === '') failOption(where, 'call.name', 'a non-empty string', call.name);
  const concurrency = integerOption('concurrency', options.concurrency, 16, 1, maxConcurrency);
  if (options.retry !== undefined) assertRetryStrategy(options.retry, 'retry');
  const rateLimit = options.rateLimit ?? {};
  const rateLimitTuning = resolveRateLimitTuning(where, rateLimit, concurrency);
  const timeoutMs = millisecondsOption('timeoutMs', options.timeoutMs, 60_000);
  const errorStrategy = options.errorStrategy ?? 'continue';
  if (!['continue', 'fail-fast', 'skip'].includes(errorStrategy)) {
    failOption(where, 'errorStrategy', '"continue", "fail-fast" or "skip"', errorStrategy);
  }
  const abortOn = options.abortOn ?? ['auth', 'insufficient_quota'];
  if (!Array.isArray(abortOn) || abortOn.some((category) => !(errorCategories as readonly string[]).includes(category))) {
    failOption(where, 'abortOn', `an array of error categories (${errorCategories.join(', ')})`, abortOn);
  }
  const middleware = options.middleware ?? [];
  if (!Array.isArray(middleware) || middleware.some((layer) => typeof layer !== 'object' || layer === null)) {
    failOption(where, 'middleware', 'an array of { before?, after?, onError? } objects', middleware);
  }
  middleware.forEach((layer, index) => {
    optionalFunction(`middleware[${index}].before`, layer.before);
    optionalFunction(`middleware[${index}].after`, layer.after);
    optionalFunction(`middleware[${index}].onError`, layer.onError);
  });
  const observers = options.observers ?? [];
  if (!Array.isArray(observers) || observers.some((observer) => typeof observer !== 'function')) {
    failOption(where, 'observers', 'an array of functions', observers);
  }
  optionalFunction('classifyError', options.classifyError);
  optionalFunction('onResult', options.onResult);
  if (options.includeRaw !== undefined && typeof options.includeRaw !== 'boolean') failOption(where, 'includeRaw', 'a boolean', options.includeRaw);
  optionalFunction('onProgress', options.onProgress);
  const tools = options.tools;
  if (tools !== undefined) {
    if (typeof tools !== 'object' || tools === null) failOption(where, 'tools', 'an object of { execute } tools by name', tools);
    for (const [name, tool] of Object.entries(tools)) {
      if (typeof tool !== 'object' || tool === null || typeof tool.execute !== 'function') {
        failOption(where, `tools.${name}`, 'an object with an execute(args, context) function', tool);
      }
    }
  }
  const budget = options.budget;
  if (budget !== undefined && (typeof budget?.reserve !== 'function' || typeof budget?.settle !== 'function')) {
    failOption(where, 'budget', 'an object with reserve(request) and settle(request, usage) functions', budget);
  }
  const pollIntervalMs = millisecondsOption('pollIntervalMs', options.pollIntervalMs, undefined);
  return {
    call,
    concurrency,
    retry: options.retry,
    requestsPerMinute: rateOption('rateLimit.requestsPerMinute', rateLimit.requestsPerMinute),
    tokensPerMinute: rateOption('rateLimit.tokensPerMinute', rateLimit.tokensPerMinute),
    adaptive: rateLimitTuning.limiter.learnFromHeaders === true || rateLimitTuning.limiter.sharedCooldown === true || rateLimitTuning.limiter.adaptiveWindow === true,
    rateLimitTuning,
    timeoutMs,
    errorStrategy,
    maxQueueSize: integerOption('maxQueueSize', options.maxQueueSize, concurrency * 2, 1, maxQueueSize),
    maxRateLimitRetries: integerOption('maxRateLimitRetries', options.maxRateLimitRetries, 20, 0, maxRateLimitRetries),
    abortOn: new Set(abortOn),
    classify: composeClassifier(options.classifyError),
    middleware,
    observers,
    onResult: options.onResult,
    includeRaw: options.includeRaw === true,
    onProgress: options.onProgress,
    tools: tools === undefined || Object.keys(tools).length === 0 ? undefined : tools,
    maxToolIterations: integerOption('maxToolIterations', options.maxToolIterations, 5, 0, maxToolIterations),
    budget,
    pollIntervalMs,
  };
}
