import { isAbortError } from '../../errors/abort-error.js';
import type { ErrorClassification } from '../../errors/classify-error.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { CallContext, CallOutput } from '../../provider/call-strategy.js';
import { delay } from '../../retry/delay.js';
import type { RetryContext, RetryStrategy } from '../../retry/retry-strategy.js';
import { AdaptiveRateLimiter, type RateLimitOutcome, type RateLimitPermit } from './adaptive-rate-limiter.js';
import type { ResolvedEmulatedOptions } from './emulated-options.js';
import { estimateRequestTokens } from './estimate-request-tokens.js';
import type { ItemAttempts } from './item-attempts.js';
import { applyOnError } from './middleware.js';
import type { createEventEmitter } from './observers.js';
import { parseRateLimitBudget, parseRateLimitHeaders } from './parse-rate-limit-headers.js';
import { resolveMaxOutputTokens } from './resolve-max-output-tokens.js';
import { RetryBudget } from './retry-budget.js';

/** The longest wait of a quick retry (see `rateLimit.retryBudget`): a jitter, not a backoff. */
const quickRetryMaxDelayMs = 50;
/**
 * Quick retries one item may take. At 10% scattered faults one item in a thousand fails three times
 * in a row: ten in a job of 10,000, and with two quick retries each of them waited the strategy's
 * third backoff (up to 2 s) while the pool ran dry, which set the run's end (the ideal scheduler of
 * bench/scattered-faults-bound.ts: 10th percentile 79.9% of the ceiling with two, 87.1% with three).
 * One in ten thousand fails four times; an item that does is not meeting scattered faults, and its
 * later retries keep the strategy's spread in time, so that a burst of failures cannot use up its
 * retries at once. The budget still stops quick retries when failures stop being rare.
 */
const quickRetriesPerItem = 3;

/** Thrown inside an item when it ended without success; carries what the result needs. */
export class ItemFailure extends Error {
  constructor(
    readonly classification: ErrorClassification,
    readonly source: unknown,
  ) {
    super(classification.message);
  }
}

/**
 * The context of one call. Its signal, and the timer that aborts it `timeoutMs` after the call
 * started, are made when the strategy first reads `signal`: a strategy that never looks at it (an
 * in-process one) costs neither, and one that does sees the same deadline. A call that fails after
 * its time ran out counts as timed out, whether it read the signal or not.
 */
class CallAttempt implements CallContext {
  /**
   * `signal` is an own, enumerable getter (one shared function, so that V8 keeps the objects
   * fast): a strategy that wraps another and copies the context (`{ ...context }`) hands it on.
   */
  static readonly #signalProperty: PropertyDescriptor = {
    get(this: CallAttempt): AbortSignal {
      return this.#signal();
    },
    enumerable: true,
  };

  declare readonly signal: AbortSignal;
  readonly attempt: number;
  readonly timeoutMs: number;
  readonly #startedAt = Date.now();
  /** The run's signal: once aborted, a signal read later is born aborted. */
  readonly #jobSignal: AbortSignal;
  /** The controllers of the calls in flight, which the run's signal aborts. */
  readonly #inFlight: Set<AbortController>;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #ended = false;

  constructor(attempt: number, timeoutMs: number, jobSignal: AbortSignal, inFlight: Set<AbortController>) {
    this.attempt = attempt;
    this.timeoutMs = timeoutMs;
    this.#jobSignal = jobSignal;
    this.#inFlight = inFlight;
    Object.defineProperty(this, 'signal', CallAttempt.#signalProperty);
  }

  #signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#jobSignal.aborted) {
      controller.abort(this.#jobSignal.reason);
    } else if (!this.#ended) {
      const leftMs = this.timeoutMs - (Date.now() - this.#startedAt);
      if (leftMs <= 0) {
        this.#timeOut();
      } else {
        this.#inFlight.add(controller);
        this.#timer = setTimeout(() => this.#timeOut(), leftMs);
      }
    }
    return controller.signal;
  }

  #timeOut(): void {
    this.#timedOut = true;
    this.#controller?.abort(new DOMException(`No response within ${this.timeoutMs} ms`, 'TimeoutError'));
  }

  /** The call returned or threw: stops its timer. True when its time had run out. */
  end(): boolean {
    this.#ended = true;
    const controller = this.#controller;
    if (controller === undefined) return Date.now() - this.#startedAt >= this.timeoutMs;
    clearTimeout(this.#timer);
    this.#inFlight.delete(controller);
    return this.#timedOut;
  }
}

/** What a {@link RetryingCaller} works with; all of it belongs to the run. */
export interface RetryingCallerOptions {
  readonly options: ResolvedEmulatedOptions;
  readonly retry: RetryStrategy;
  /** The run's abort signal (cancel, fail-fast, abortOn, an interruption): it aborts every call in flight. */
  readonly signal: AbortSignal;
  readonly emit: ReturnType<typeof createEventEmitter>;
}

function headersOfError(error: unknown): Headers | Record<string, string> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const headers = (error as { headers?: unknown }).headers;
  return typeof headers === 'object' && headers !== null ? (headers as Headers | Record<string, string>) : undefined;
}

/**
 * Every call of a run: a permit from the shared rate limiter, a timeout per call, and the one retry
 * loop (429/529 on their own budget, other errors on the retry strategy's).
 */
export class RetryingCaller {
  readonly #options: ResolvedEmulatedOptions;
  readonly #retry: RetryStrategy;
  readonly #signal: AbortSignal;
  readonly #emit: ReturnType<typeof createEventEmitter>;
  readonly #limiter: AdaptiveRateLimiter;
  /** Quick retries of scattered server errors while the failure rate is low; undefined when off. */
  readonly #retryBudget: RetryBudget | undefined;
  /** Controllers of the calls in flight: one listener on the run's signal aborts them all (not one listener per call). */
  readonly #callControllers = new Set<AbortController>();

  constructor({ options, retry, signal, emit }: RetryingCallerOptions) {
    this.#options = options;
    this.#retry = retry;
    this.#signal = signal;
    this.#emit = emit;
    signal.addEventListener(
      'abort',
      () => {
        for (const controller of this.#callControllers) controller.abort(signal.reason);
      },
      { once: true },
    );
    this.#limiter = new AdaptiveRateLimiter({
      maxConcurrency: options.concurrency,
      ...(options.requestsPerMinute === undefined ? {} : { requestsPerMinute: options.requestsPerMinute }),
      ...(options.tokensPerMinute === undefined ? {} : { tokensPerMinute: options.tokensPerMinute }),
      adaptive: options.adaptive,
      ...options.rateLimitTuning.limiter,
      onCooldownStarted: (until, durationMs, cause) => emit({ type: 'cooldown.started', until, durationMs, cause }),
      onCooldownEnded: (durationMs) => emit({ type: 'cooldown.ended', durationMs }),
      onWindowChanged: (size) => emit({ type: 'concurrency.changed', size }),
    });
    const budget = options.rateLimitTuning.retryBudget;
    this.#retryBudget = budget === undefined ? undefined : new RetryBudget(budget.capacity, budget.ratio);
  }

  /** Rejects the callers still waiting for a permit and stops the limiter's timers. */
  close(): void {
    this.#limiter.close();
  }

  /** The one retry loop: waits for a permit, calls, classifies, and retries or throws an ItemFailure. */
  async call(request: BatchRequest, attempts: ItemAttempts): Promise<CallOutput> {
    const options = this.#options;
    const jobSignal = this.#signal;
    const tokens = estimateRequestTokens(request, resolveMaxOutputTokens(options.call, request));
    for (;;) {
      const permit = await this.#limiter.acquire(tokens, jobSignal);
      attempts.calls += 1;
      const attempt = attempts.calls;
      if (jobSignal.aborted) {
        this.#limiter.release(permit, { kind: 'error' });
        throw new ItemFailure({ category: 'cancelled', retryable: false, message: 'The run was cancelled' }, jobSignal.reason);
      }
      const context = new CallAttempt(attempt, options.timeoutMs, jobSignal, this.#callControllers);
      let output: CallOutput;
      try {
        output = await options.call.call(request, context);
      } catch (error) {
        await this.#handleFailure(request, error, attempts, permit, context.end());
        continue;
      }
      context.end();
      const outcome: RateLimitOutcome = { kind: 'success', actualTokens: output.usage.totalTokens };
      // A success only teaches limits and what is left: skip the resets and retry-after parsing.
      if (options.rateLimitTuning.learnFromHeaders && output.headers !== undefined) outcome.snapshot = parseRateLimitBudget(output.headers);
      this.#limiter.release(permit, outcome);
      this.#retryBudget?.succeeded();
      return output;
    }
  }

  /** Decides what a failed call means; returns to retry (after any wait) or throws an ItemFailure. */
  async #handleFailure(request: BatchRequest, error: unknown, attempts: ItemAttempts, permit: RateLimitPermit, timedOut: boolean): Promise<void> {
    const options = this.#options;
    const jobSignal = this.#signal;
    let classification: ErrorClassification;
    if (jobSignal.aborted) {
      classification = { category: 'cancelled', retryable: false, message: 'The run was cancelled' };
    } else if (timedOut) {
      classification = { category: 'timeout', retryable: true, message: `No response within ${options.timeoutMs} ms` };
    } else {
      classification = options.classify(error);
      // A strategy that surfaces an abort we did not ask for (e.g. a closed client) is not a cancel of the run.
      if (classification.category === 'cancelled' && isAbortError(error)) {
        classification = { category: 'unknown', retryable: false, message: classification.message };
      }
    }
    const category = classification.category;
    const rateLimited = (category === 'rate_limit' || category === 'overloaded') && classification.retryable;
    const headers = headersOfError(error);
    const snapshot = options.rateLimitTuning.learnFromHeaders && headers !== undefined ? parseRateLimitHeaders(headers) : undefined;
    const outcome: RateLimitOutcome =
      category === 'rate_limit' && classification.retryable
        ? { kind: 'rate_limited', ...(snapshot ? { snapshot } : {}), ...(classification.retryAfterMs === undefined ? {} : { retryAfterMs: classification.retryAfterMs }) }
        : category === 'overloaded'
          ? { kind: 'overloaded', ...(snapshot ? { snapshot } : {}) }
          : { kind: 'error', ...(snapshot ? { snapshot } : {}) };
    const sharedCooldown = this.#limiter.release(permit, outcome);
    if (category === 'cancelled') throw new ItemFailure(classification, error);
    if (rateLimited) {
      this.#emit({
        type: 'rate_limit.hit',
        id: request.id,
        category: category as 'rate_limit' | 'overloaded',
        ...(classification.retryAfterMs === undefined ? {} : { retryAfterMs: classification.retryAfterMs }),
      });
    }
    const retryContext = (attempt: number): RetryContext => ({
      attempt,
      error,
      classification,
      elapsedMs: Date.now() - attempts.startedAt,
    });
    let willRetry: boolean;
    if (options.abortOn.has(category)) willRetry = false;
    else if (rateLimited) willRetry = attempts.rateLimitRetries < options.maxRateLimitRetries;
    else willRetry = classification.retryable && this.#retry.shouldRetry(retryContext(attempts.budgetRetries + 1));
    await applyOnError(options.middleware, request, error, { attempt: attempts.calls, classification, willRetry });
    if (!willRetry) throw new ItemFailure(classification, error);

    let delayMs: number;
    if (rateLimited) {
      attempts.rateLimitRetries += 1;
      // A 429 that started (or joined) the shared cooldown is waited out by the next acquire; a
      // scattered one is waited out by this item alone, while the others go on.
      delayMs = sharedCooldown ? 0 : this.#retry.delayMs(retryContext(attempts.rateLimitRetries));
    } else {
      attempts.budgetRetries += 1;
      delayMs = this.#retry.delayMs(retryContext(attempts.budgetRetries));
      // A scattered server error while failures are rare: retry after a jitter, not the backoff
      // (an item's first three retries only).
      if (
        attempts.budgetRetries <= quickRetriesPerItem &&
        delayMs > quickRetryMaxDelayMs &&
        classification.retryAfterMs === undefined &&
        (category === 'server' || category === 'network') &&
        this.#retryBudget?.tryQuickRetry() === true
      ) {
        delayMs = Math.random() * quickRetryMaxDelayMs;
      }
    }
    this.#emit({
      type: 'retry.scheduled',
      id: request.id,
      attempt: attempts.calls,
      category,
      delayMs,
      consumesRetryBudget: !rateLimited,
    });
    if (delayMs > 0) {
      try {
        await attempts.park(delay(delayMs, { signal: jobSignal }));
      } catch (abortError) {
        throw new ItemFailure({ category: 'cancelled', retryable: false, message: 'The run was cancelled' }, abortError);
      }
    }
  }
}
