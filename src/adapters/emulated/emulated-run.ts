import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { classifyError, itemErrorFromClassification, toItemError, type ErrorClassification } from '../../errors/classify-error.js';
import { isAbortError } from '../../errors/abort-error.js';
import { defaultEstimateMaxTokens } from '../../cost/estimate-cost.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult, SucceededResult } from '../../models/batch-result.js';
import type { ItemError } from '../../models/item-error.js';
import { addUsage, emptyUsage } from '../../models/usage.js';
import type { PollResult, SubmitContext, SubmitPart } from '../../provider/batch-provider.js';
import type { CallOutput } from '../../provider/call-strategy.js';
import { delay } from '../../retry/delay.js';
import type { RetryContext, RetryStrategy } from '../../retry/retry-strategy.js';
import { AdaptiveRateLimiter, type RateLimitOutcome } from './adaptive-rate-limiter.js';
import type { ResolvedEmulatedOptions } from './emulated-options.js';
import { estimateRequestTokens } from './estimate-request-tokens.js';
import { applyAfter, applyBefore, applyOnError, isSkipRequest } from './middleware.js';
import { createEventEmitter } from './observers.js';
import { parseRateLimitBudget, parseRateLimitHeaders } from './parse-rate-limit-headers.js';
import { runToolLoop, withToolDefinitions } from './tool-loop.js';
import { runWorkerPool, type WorkerContext } from './worker-pool.js';

/** The states a run goes through (a subset of the job statuses). */
export type EmulatedRunStatus = 'in_progress' | 'cancelling' | 'completed' | 'cancelled' | 'failed';

/** Thrown inside an item when it ended without success; carries what the result needs. */
class ItemFailure extends Error {
  constructor(
    readonly classification: ErrorClassification,
    readonly source: unknown,
  ) {
    super(classification.message);
  }
}

/** Thrown by a further call of a tool loop whose budget reservation was refused. */
class BudgetRefusal extends Error {
  constructor() {
    super('The budget cannot cover a further call of the tool loop');
  }
}

/** Per item: how many calls were made and how many of each kind of retry. */
interface ItemAttempts {
  calls: number;
  budgetRetries: number;
  rateLimitRetries: number;
  readonly startedAt: number;
  /** Waits without holding the item's worker (see `WorkerContext.park`). */
  readonly park: WorkerContext['park'];
}

const cancelledError: ItemError = { category: 'cancelled', message: 'The run was cancelled while this request ran', retryable: true };

function headersOfError(error: unknown): Headers | Record<string, string> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const headers = (error as { headers?: unknown }).headers;
  return typeof headers === 'object' && headers !== null ? (headers as Headers | Record<string, string>) : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One part running in this process: a bounded queue over the part's requests, `concurrency`
 * workers, one retry loop per item, a shared rate limiter, and the journal written as each item ends.
 */
export class EmulatedRun {
  readonly id = `emu_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
  status: EmulatedRunStatus = 'in_progress';
  error: string | undefined;
  readonly done: Promise<void>;
  #succeeded = 0;
  #failed = 0;
  #cancelled = 0;
  #inFlight = 0;
  readonly #startedAt = Date.now();
  /** Aborts calls in flight (cancel, fail-fast, abortOn). */
  readonly #abort = new AbortController();
  /** Stops taking new items (all of the above, and an exhausted budget). */
  readonly #stopScheduling = new AbortController();
  /** Controllers of the calls in flight: one listener on the job signal aborts them all (not one listener per call). */
  readonly #callControllers = new Set<AbortController>();
  #stopStatus: 'cancelled' | 'failed' | undefined;
  readonly #limiter: AdaptiveRateLimiter;
  readonly #emit: ReturnType<typeof createEventEmitter>;
  readonly #warned = new Set<string>();
  readonly #retry: RetryStrategy;

  constructor(
    readonly options: ResolvedEmulatedOptions,
    readonly part: SubmitPart,
    readonly context: SubmitContext,
    retry: RetryStrategy,
  ) {
    this.#retry = retry;
    // Every worker in flight listens on these two signals (and removes its listener after):
    // dozens at once is the design, not a leak.
    setMaxListeners(0, this.#abort.signal, this.#stopScheduling.signal);
    this.#abort.signal.addEventListener(
      'abort',
      () => {
        for (const controller of this.#callControllers) controller.abort(this.#abort.signal.reason);
      },
      { once: true },
    );
    this.#emit = createEventEmitter(this.id, options.observers, (error) => this.#warnOnce('observer', `An emulated-run observer threw: ${message(error)}`));
    this.#limiter = new AdaptiveRateLimiter({
      maxConcurrency: options.concurrency,
      ...(options.requestsPerMinute === undefined ? {} : { requestsPerMinute: options.requestsPerMinute }),
      ...(options.tokensPerMinute === undefined ? {} : { tokensPerMinute: options.tokensPerMinute }),
      adaptive: options.adaptive,
      onCooldownStarted: (until, durationMs) => this.#emit({ type: 'cooldown.started', until, durationMs }),
      onCooldownEnded: (durationMs) => this.#emit({ type: 'cooldown.ended', durationMs }),
    });
    // The core's signal interrupts the run (Ctrl-C, a client closed, a lease lost): unlike a cancel,
    // the calls it aborts are not journaled, so their items stay pending and `resume` runs them.
    const interrupt = context.signal;
    if (interrupt !== undefined) {
      const onInterrupt = (): void => this.#interrupt();
      if (interrupt.aborted) queueMicrotask(onInterrupt);
      else interrupt.addEventListener('abort', onInterrupt, { once: true });
      this.#detachInterrupt = () => interrupt.removeEventListener('abort', onInterrupt);
    }
    this.done = this.#run();
  }

  #interrupted = false;
  #detachInterrupt: (() => void) | undefined;

  #interrupt(): void {
    if (this.status !== 'in_progress' && this.status !== 'cancelling') return;
    this.#interrupted = true;
    this.#stop('failed', 'The run was interrupted before it ended; resume the job to run the rest');
  }

  /** The run as the core polls it. */
  poll(): PollResult {
    const pending = Math.max(0, this.part.requestCount - this.#succeeded - this.#failed - this.#cancelled);
    const result: PollResult = {
      status: this.status,
      rawStatus: this.status,
      counts: { succeeded: this.#succeeded, failed: this.#failed, cancelled: this.#cancelled, pending },
    };
    if (this.error !== undefined) result.error = this.error;
    return result;
  }

  /** Stops scheduling, aborts calls in flight (their items are recorded `cancelled`), ends `cancelled`. */
  cancel(): void {
    if (this.status !== 'in_progress') return;
    this.status = 'cancelling';
    this.#stop('cancelled');
  }

  #stop(status: 'cancelled' | 'failed', error?: string, abortInFlight = true): void {
    if (this.#stopStatus === undefined) {
      this.#stopStatus = status;
      if (error !== undefined) this.error = error;
    }
    this.#stopScheduling.abort();
    if (abortInFlight) this.#abort.abort();
  }

  #warnOnce(key: string, text: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.context.warn(text);
  }

  async #run(): Promise<void> {
    const { options } = this;
    this.#emit({ type: 'job.started', jobId: this.part.jobId, concurrency: options.concurrency });
    let prepared = false;
    try {
      await options.call.prepare?.();
      prepared = true;
      await runWorkerPool({
        source: this.part.requests(),
        concurrency: options.concurrency,
        maxQueueSize: options.maxQueueSize,
        signal: this.#stopScheduling.signal,
        // An item waiting out a retry delay lends its worker to another item meanwhile: calls in
        // flight stay within the limiter's window, but waits no longer idle the pool.
        maxParked: options.concurrency,
        handle: (request, worker) => this.#processItem(request, worker.park),
        onWorkerStarted: (worker) => this.#emit({ type: 'worker.started', worker }),
        onWorkerStopped: (worker) => this.#emit({ type: 'worker.stopped', worker }),
      });
    } catch (error) {
      this.#stop('failed', prepared ? `The emulated run stopped: ${message(error)}` : `The call strategy failed to prepare: ${message(error)}`);
    } finally {
      this.#detachInterrupt?.();
      this.#limiter.close();
      try {
        await options.call.cleanup?.();
      } catch (error) {
        this.#warnOnce('cleanup', `The call strategy's cleanup failed: ${message(error)}`);
      }
    }
    this.status = this.#stopStatus ?? 'completed';
    this.#emit({
      type: 'job.completed',
      jobId: this.part.jobId,
      status: this.status as 'completed' | 'cancelled' | 'failed',
      succeeded: this.#succeeded,
      failed: this.#failed,
      cancelled: this.#cancelled,
      elapsedMs: Date.now() - this.#startedAt,
      ...(this.error === undefined ? {} : { error: this.error }),
    });
  }

  async #processItem(original: BatchRequest, park: WorkerContext['park']): Promise<void> {
    const { options } = this;
    const attempts: ItemAttempts = { calls: 0, budgetRetries: 0, rateLimitRetries: 0, startedAt: Date.now(), park };
    this.#inFlight += 1;
    this.#emit({ type: 'item.started', id: original.id });
    let result: BatchResult;
    let request = original;
    let stopAfter: { status: 'failed'; error: string } | undefined;
    try {
      const before = await applyBefore(options.middleware, original);
      if (isSkipRequest(before)) {
        result = before.result ?? {
          id: original.id,
          status: 'cancelled',
          error: { category: 'cancelled', message: 'Skipped by middleware', retryable: false },
        };
        if (result.id !== original.id) result = { ...result, id: original.id };
      } else {
        request = before.id === original.id ? before : { ...before, id: original.id };
        result = await this.#runItem(request, attempts);
        if (result.status === 'succeeded' || result.status === 'failed') {
          result = await applyAfter(options.middleware, request, result);
        }
      }
    } catch (error) {
      // Middleware and budget hooks are user code: their exceptions fail the item, not the run.
      result = { id: original.id, status: 'failed', error: { ...toItemError(error), category: 'unknown', retryable: false }, attempts: Math.max(1, attempts.calls) };
    }
    if (result.status === 'failed') {
      if (options.abortOn.has(result.error.category)) {
        stopAfter = { status: 'failed', error: `Stopped at the first "${result.error.category}" error (item ${result.id}): ${result.error.message}` };
      } else if (options.errorStrategy === 'fail-fast') {
        stopAfter = { status: 'failed', error: `Stopped by errorStrategy "fail-fast" at item ${result.id} (${result.error.category}): ${result.error.message}` };
      } else if (options.errorStrategy === 'skip') {
        result = { ...result, skipped: true };
      }
    }
    // Abort the others before journaling so that no further money is spent while we write.
    if (stopAfter !== undefined) this.#stop(stopAfter.status, stopAfter.error);
    this.#inFlight -= 1;
    await this.#record(result, attempts);
  }

  async #record(result: BatchResult, attempts: ItemAttempts): Promise<void> {
    // An item whose call the interruption aborted has not ended: it stays pending for `resume`.
    if (this.#interrupted && result.status === 'cancelled' && result.error === cancelledError) return;
    // Journaled before it is counted: a crash after this line never makes the item run twice.
    await this.context.recordResult(result);
    const latencyMs = Date.now() - attempts.startedAt;
    const calls = Math.max(1, attempts.calls);
    if (result.status === 'succeeded') this.#succeeded += 1;
    else if (result.status === 'failed') this.#failed += 1;
    else this.#cancelled += 1;
    if (result.status === 'failed') {
      this.#emit({ type: 'item.failed', id: result.id, error: result.error, attempts: calls, latencyMs });
    } else {
      this.#emit({ type: 'item.completed', id: result.id, status: result.status, attempts: calls, latencyMs });
    }
    if (this.options.onResult !== undefined) {
      try {
        await this.options.onResult(result);
      } catch (error) {
        this.#warnOnce('onResult', `onResult threw: ${message(error)}`);
      }
    }
    if (this.options.onProgress !== undefined) {
      const done = this.#succeeded + this.#failed + this.#cancelled;
      const elapsedSeconds = Math.max(0.001, (Date.now() - this.#startedAt) / 1000);
      try {
        this.options.onProgress({
          done,
          total: this.part.requestCount,
          succeeded: this.#succeeded,
          failed: this.#failed,
          cancelled: this.#cancelled,
          inFlight: this.#inFlight,
          ratePerSecond: done / elapsedSeconds,
        });
      } catch (error) {
        this.#warnOnce('onProgress', `onProgress threw: ${message(error)}`);
      }
    }
  }

  /**
   * Budget, calls (with the tool loop) and retries of one item; always returns a terminal result.
   * Every call is booked against the budget before it is sent, at its worst case: the request as
   * sent (tool definitions and earlier turns included) with the max tokens the strategy really
   * sends. A tool loop books each further call on top of the item's earlier bookings; the item
   * settles once, with the usage of every call it paid for.
   */
  async #runItem(request: BatchRequest, attempts: ItemAttempts): Promise<BatchResult> {
    const { options } = this;
    // The adapter's own budget option wins; otherwise the job's `maxCostUsd`, handed over by the client.
    const budget = options.budget ?? this.context.budget;
    if (this.#abort.signal.aborted) return { id: request.id, status: 'cancelled', error: cancelledError };
    const first = options.tools === undefined ? request : withToolDefinitions(request, options.tools);
    if (budget !== undefined && !(await budget.reserve(this.#asBooked(first)))) {
      this.#stop('cancelled', 'The budget is exhausted: no further requests were started', false);
      return { id: request.id, status: 'cancelled', error: { category: 'budget', message: 'Not started: the budget is exhausted', retryable: false } };
    }
    const usage = emptyUsage();
    let paidCalls = 0;
    let sentCalls = 0;
    const call = async (next: BatchRequest): Promise<CallOutput> => {
      sentCalls += 1;
      if (sentCalls > 1 && budget !== undefined && !(await budget.reserve(this.#asBooked(next)))) throw new BudgetRefusal();
      const output = await this.#callWithRetries(next, attempts);
      addUsage(usage, output.usage);
      paidCalls += 1;
      return output;
    };
    try {
      const output =
        options.tools === undefined
          ? await call(first)
          : await runToolLoop({
              request: first,
              tools: options.tools,
              maxToolIterations: options.maxToolIterations,
              signal: this.#abort.signal,
              call,
            });
      const result: SucceededResult = {
        id: request.id,
        status: 'succeeded',
        text: output.text,
        finishReason: output.finishReason,
        usage: output.usage,
        model: output.model,
        attempts: attempts.calls,
        latencyMs: Date.now() - attempts.startedAt,
      };
      if (output.rawFinishReason !== undefined) result.rawFinishReason = output.rawFinishReason;
      if (output.toolCalls !== undefined && output.toolCalls.length > 0) result.toolCalls = output.toolCalls;
      return result;
    } catch (error) {
      const failed = (itemError: ItemError): BatchResult => ({
        id: request.id,
        status: 'failed',
        error: itemError,
        // Calls that answered before the item failed were billed: their usage stays countable.
        ...(paidCalls > 0 ? { usage: { ...usage } } : {}),
        attempts: Math.max(1, attempts.calls),
        latencyMs: Date.now() - attempts.startedAt,
      });
      if (error instanceof BudgetRefusal) {
        this.#stop('cancelled', 'The budget is exhausted: no further requests were started', false);
        return failed({
          category: 'budget',
          message: `The tool loop stopped after ${paidCalls} call${paidCalls === 1 ? '' : 's'}: the budget cannot cover a further call`,
          // A retry with a larger budget runs the whole item again (its first calls are paid again).
          retryable: true,
        });
      }
      const classification = error instanceof ItemFailure ? error.classification : classifyError(error);
      if (classification.category === 'cancelled' || this.#abort.signal.aborted) {
        return { id: request.id, status: 'cancelled', error: cancelledError };
      }
      return failed(itemErrorFromClassification(classification));
    } finally {
      budget?.settle(request, paidCalls > 0 ? usage : undefined);
    }
  }

  /**
   * The max output tokens the strategy sends for a request: what it says, else the request's own
   * `maxTokens`; undefined when nothing caps the answer.
   */
  #maxOutputTokens(request: BatchRequest): number | undefined {
    return this.options.call.maxOutputTokens?.(request) ?? request.maxTokens;
  }

  /** The request as a budget books it: `maxTokens` set to what is really sent. */
  #asBooked(request: BatchRequest): BatchRequest {
    const maxTokens = this.#maxOutputTokens(request);
    if (maxTokens === undefined) {
      this.#warnOnce(
        'uncapped',
        `Budget: ${this.options.call.name} sends no max tokens for some requests (set maxTokens on them), so their reservations assume ${defaultEstimateMaxTokens} output tokens and a longer answer can pass the budget`,
      );
      return request;
    }
    return maxTokens === request.maxTokens ? request : { ...request, maxTokens };
  }

  /** The one retry loop: waits for a permit, calls, classifies, and retries or throws an ItemFailure. */
  async #callWithRetries(request: BatchRequest, attempts: ItemAttempts): Promise<CallOutput> {
    const { options } = this;
    const jobSignal = this.#abort.signal;
    const tokens = estimateRequestTokens(request, this.#maxOutputTokens(request));
    for (;;) {
      const permit = await this.#limiter.acquire(tokens, jobSignal);
      attempts.calls += 1;
      const attempt = attempts.calls;
      if (jobSignal.aborted) {
        this.#limiter.release(permit, { kind: 'error' });
        throw new ItemFailure({ category: 'cancelled', retryable: false, message: 'The run was cancelled' }, jobSignal.reason);
      }
      const controller = new AbortController();
      let timedOut = false;
      this.#callControllers.add(controller);
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new DOMException(`No response within ${options.timeoutMs} ms`, 'TimeoutError'));
      }, options.timeoutMs);
      let output: CallOutput;
      try {
        output = await options.call.call(request, { attempt, signal: controller.signal, timeoutMs: options.timeoutMs });
      } catch (error) {
        clearTimeout(timer);
        this.#callControllers.delete(controller);
        await this.#handleFailure(request, error, attempts, permit, timedOut);
        continue;
      }
      clearTimeout(timer);
      this.#callControllers.delete(controller);
      const outcome: RateLimitOutcome = { kind: 'success', actualTokens: output.usage.totalTokens };
      // A success only teaches limits and what is left: skip the resets and retry-after parsing.
      if (options.adaptive && output.headers !== undefined) outcome.snapshot = parseRateLimitBudget(output.headers);
      this.#limiter.release(permit, outcome);
      return output;
    }
  }

  /** Decides what a failed call means; returns to retry (after any wait) or throws an ItemFailure. */
  async #handleFailure(
    request: BatchRequest,
    error: unknown,
    attempts: ItemAttempts,
    permit: Parameters<AdaptiveRateLimiter['release']>[0],
    timedOut: boolean,
  ): Promise<void> {
    const { options } = this;
    const jobSignal = this.#abort.signal;
    let classification: ErrorClassification;
    if (jobSignal.aborted) {
      classification = { category: 'cancelled', retryable: false, message: 'The run was cancelled' };
    } else if (timedOut) {
      classification = { category: 'timeout', retryable: true, message: `No response within ${options.timeoutMs} ms` };
    } else {
      classification = classifyError(error);
      // A strategy that surfaces an abort we did not ask for (e.g. a closed client) is not a cancel of the run.
      if (classification.category === 'cancelled' && isAbortError(error)) {
        classification = { category: 'unknown', retryable: false, message: classification.message };
      }
    }
    const category = classification.category;
    const rateLimited = (category === 'rate_limit' || category === 'overloaded') && classification.retryable;
    const headers = headersOfError(error);
    const snapshot = options.adaptive && headers !== undefined ? parseRateLimitHeaders(headers) : undefined;
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
