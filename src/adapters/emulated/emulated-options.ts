import { assertRetryStrategy } from '../../retry/assert-retry-strategy.js';
import type { RetryStrategy } from '../../retry/retry-strategy.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import { errorCategories, type ErrorCategory } from '../../models/item-error.js';
import type { Usage } from '../../models/usage.js';
import type { CallStrategy } from '../../provider/call-strategy.js';
import type { EmulatedMiddleware } from './middleware.js';
import type { EmulatedObserver } from './observers.js';
import type { EmulatedTools } from './tool-loop.js';

/** What to do with an item that failed for good. */
export type ErrorStrategy = 'continue' | 'fail-fast' | 'skip';

/** Local rate limits. */
export interface EmulatedRateLimitOptions {
  /** Requests per minute, enforced locally with a token bucket. Unlimited (or learned) when absent. */
  readonly requestsPerMinute?: number;
  /** Tokens per minute (estimated before the call from characters / 4 + `maxTokens`, corrected from usage). */
  readonly tokensPerMinute?: number;
  /**
   * Learn limits from `x-ratelimit-*` / `anthropic-ratelimit-*` headers, pause every worker once for
   * a 429's retry-after (one coordinated cooldown), and ramp back up (slow start, AIMD). The shared
   * cooldown and the halving of the concurrency happen only for a 429 that shows real rate limiting
   * (its headers say a budget is spent, or at least half of the calls of the last round trip were
   * 429s); a scattered 429 is waited out by its own item while the others go on.
   * With `false`, each item waits out its own 429s and the concurrency stays fixed.
   * @default true
   */
  readonly adaptive?: boolean;
}

/** Progress of one emulated run, reported after every terminal result. */
export interface EmulatedProgress {
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
   * The most calls in flight at once, and the number of workers. An item waiting out a retry delay
   * (a 429's retry-after, a backoff) lends its worker to the next item meanwhile, so up to twice
   * this many items may be in progress, never more calls than this. @default 16
   */
  readonly concurrency?: number;
  /**
   * The retry policy of each item (the only retry loop: SDK clients run with `maxRetries: 0`).
   * 429 and 529 answers do not count against it (see `maxRateLimitRetries`).
   * @default exponentialBackoff({ maxRetries: 5 })
   */
  readonly retry?: RetryStrategy;
  readonly rateLimit?: EmulatedRateLimitOptions;
  /** Per call; a call that takes longer is aborted as a retryable `timeout`. @default 60_000 */
  readonly timeoutMs?: number;
  /**
   * `continue`: failed items are recorded and the run goes on. `fail-fast`: the first item that
   * fails for good stops the run (in-flight calls are aborted and their items cancelled; the run
   * ends `failed`). `skip`: like `continue`, but failed results carry `metadata.skipped = true` so
   * that aggregates can leave them out while counting them.
   * @default 'continue'
   */
  readonly errorStrategy?: ErrorStrategy;
  /** Requests read ahead of the workers; the source is pulled only as they free up. @default 2 × concurrency */
  readonly maxQueueSize?: number;
  /** 429/529 answers an item may wait out before it fails (they do not consume `retry`). @default 20 */
  readonly maxRateLimitRetries?: number;
  /** Error categories that stop the whole run (`failed`) at the first occurrence. @default ['auth', 'insufficient_quota'] */
  readonly abortOn?: readonly ErrorCategory[];
  readonly middleware?: readonly EmulatedMiddleware[];
  /** Receive every event; see `metricsObserver()`. */
  readonly observers?: readonly EmulatedObserver[];
  /** Called with every terminal result once it is journaled. */
  readonly onResult?: (result: BatchResult) => void | Promise<void>;
  readonly onProgress?: (progress: EmulatedProgress) => void;
  /** Tools executed locally when the model calls them (added to requests that list no tools). */
  readonly tools?: EmulatedTools;
  /** Further model calls per item that answer tool results. @default 5 */
  readonly maxToolIterations?: number;
  readonly budget?: EmulatedBudget;
  /** How often the client polls an emulated run (it is in-process, so polling is cheap). @default the client's */
  readonly pollIntervalMs?: number;
}

/** The options with defaults applied. */
export interface ResolvedEmulatedOptions {
  readonly call: CallStrategy;
  readonly concurrency: number;
  readonly retry: RetryStrategy | undefined;
  readonly requestsPerMinute: number | undefined;
  readonly tokensPerMinute: number | undefined;
  readonly adaptive: boolean;
  readonly timeoutMs: number;
  readonly errorStrategy: ErrorStrategy;
  readonly maxQueueSize: number;
  readonly maxRateLimitRetries: number;
  readonly abortOn: ReadonlySet<ErrorCategory>;
  readonly middleware: readonly EmulatedMiddleware[];
  readonly observers: readonly EmulatedObserver[];
  readonly onResult: EmulatedOptions['onResult'];
  readonly onProgress: EmulatedOptions['onProgress'];
  readonly tools: EmulatedTools | undefined;
  readonly maxToolIterations: number;
  readonly budget: EmulatedBudget | undefined;
  readonly pollIntervalMs: number | undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(option: string, expected: string, value: unknown): never {
  throw new TypeError(`emulated: option "${option}" must be ${expected}, got ${describe(value)}`);
}

function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(option, 'a positive integer', value);
  return value;
}

function nonNegativeInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(option, 'a non-negative integer', value);
  return value;
}

function positiveRate(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(option, 'a positive number', value);
  return value;
}

function optionalFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') fail(option, 'a function', value);
}

/**
 * Validates the options at once (a TypeError names the option and the value) and applies defaults.
 * Unknown keys are ignored: the client's shorthands pass connection options (API key, base URL)
 * through the same object.
 */
export function resolveEmulatedOptions(options: EmulatedOptions): ResolvedEmulatedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const call = options.call;
  if (typeof call !== 'object' || call === null || typeof call.call !== 'function') {
    fail('call', 'a call strategy with a call(request, context) method', call);
  }
  if (typeof call.name !== 'string' || call.name === '') fail('call.name', 'a non-empty string', call.name);
  const concurrency = positiveInteger('concurrency', options.concurrency, 16);
  if (options.retry !== undefined) assertRetryStrategy(options.retry, 'retry');
  const rateLimit = options.rateLimit ?? {};
  if (typeof rateLimit !== 'object' || rateLimit === null) fail('rateLimit', 'an object', rateLimit);
  if (rateLimit.adaptive !== undefined && typeof rateLimit.adaptive !== 'boolean') {
    fail('rateLimit.adaptive', 'a boolean', rateLimit.adaptive);
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > 2_147_483_647) {
    fail('timeoutMs', 'a number of milliseconds from 1 to 2^31-1', options.timeoutMs);
  }
  const errorStrategy = options.errorStrategy ?? 'continue';
  if (!['continue', 'fail-fast', 'skip'].includes(errorStrategy)) {
    fail('errorStrategy', '"continue", "fail-fast" or "skip"', errorStrategy);
  }
  const abortOn = options.abortOn ?? ['auth', 'insufficient_quota'];
  if (!Array.isArray(abortOn) || abortOn.some((category) => !(errorCategories as readonly string[]).includes(category))) {
    fail('abortOn', `an array of error categories (${errorCategories.join(', ')})`, abortOn);
  }
  const middleware = options.middleware ?? [];
  if (!Array.isArray(middleware) || middleware.some((layer) => typeof layer !== 'object' || layer === null)) {
    fail('middleware', 'an array of { before?, after?, onError? } objects', middleware);
  }
  middleware.forEach((layer, index) => {
    optionalFunction(`middleware[${index}].before`, layer.before);
    optionalFunction(`middleware[${index}].after`, layer.after);
    optionalFunction(`middleware[${index}].onError`, layer.onError);
  });
  const observers = options.observers ?? [];
  if (!Array.isArray(observers) || observers.some((observer) => typeof observer !== 'function')) {
    fail('observers', 'an array of functions', observers);
  }
  optionalFunction('onResult', options.onResult);
  optionalFunction('onProgress', options.onProgress);
  const tools = options.tools;
  if (tools !== undefined) {
    if (typeof tools !== 'object' || tools === null) fail('tools', 'an object of { execute } tools by name', tools);
    for (const [name, tool] of Object.entries(tools)) {
      if (typeof tool !== 'object' || tool === null || typeof tool.execute !== 'function') {
        fail(`tools.${name}`, 'an object with an execute(args, context) function', tool);
      }
    }
  }
  const budget = options.budget;
  if (budget !== undefined && (typeof budget?.reserve !== 'function' || typeof budget?.settle !== 'function')) {
    fail('budget', 'an object with reserve(request) and settle(request, usage) functions', budget);
  }
  const pollIntervalMs = options.pollIntervalMs;
  if (pollIntervalMs !== undefined && (typeof pollIntervalMs !== 'number' || !(pollIntervalMs > 0))) {
    fail('pollIntervalMs', 'a positive number of milliseconds', pollIntervalMs);
  }
  return {
    call,
    concurrency,
    retry: options.retry,
    requestsPerMinute: positiveRate('rateLimit.requestsPerMinute', rateLimit.requestsPerMinute),
    tokensPerMinute: positiveRate('rateLimit.tokensPerMinute', rateLimit.tokensPerMinute),
    adaptive: rateLimit.adaptive ?? true,
    timeoutMs,
    errorStrategy,
    maxQueueSize: positiveInteger('maxQueueSize', options.maxQueueSize, concurrency * 2),
    maxRateLimitRetries: nonNegativeInteger('maxRateLimitRetries', options.maxRateLimitRetries, 20),
    abortOn: new Set(abortOn),
    middleware,
    observers,
    onResult: options.onResult,
    onProgress: options.onProgress,
    tools: tools === undefined || Object.keys(tools).length === 0 ? undefined : tools,
    maxToolIterations: nonNegativeInteger('maxToolIterations', options.maxToolIterations, 5),
    budget,
    pollIntervalMs,
  };
}
