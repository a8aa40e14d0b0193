import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { toItemError } from '../../errors/classify-error.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import { withKey } from '../../models/with-key.js';
import type { PollResult, SubmitContext, SubmitPart } from '../../provider/batch-provider.js';
import type { RetryStrategy } from '../../retry/retry-strategy.js';
import type { ResolvedEmulatedOptions } from './emulated-options.js';
import { errorMessage } from './error-message.js';
import type { ItemAttempts } from './item-attempts.js';
import { cancelledError, ItemRunner } from './item-runner.js';
import { applyAfter, applyBefore, isSkipRequest } from './middleware.js';
import { createEventEmitter } from './observers.js';
import { RetryingCaller } from './retrying-caller.js';
import { RunEventJournal } from './run-event-journal.js';
import { RunProgress } from './run-progress.js';
import { runWorkerPool, type WorkerContext } from './worker-pool.js';

/** The states a run goes through (a subset of the job statuses). */
export type EmulatedRunStatus = 'in_progress' | 'cancelling' | 'completed' | 'cancelled' | 'failed';

/**
 * One part running in this process: a bounded queue over the part's requests, `concurrency`
 * workers, one retry loop per item, a shared rate limiter, and the journal written as each item ends.
 * The run owns the lifecycle (start, cancel, interruption, the stop rules of `errorStrategy` and
 * `abortOn`, middleware); an {@link ItemRunner} runs each item, a {@link RetryingCaller} makes its
 * calls, and {@link RunProgress} records the results.
 */
export class EmulatedRun {
  readonly id = `emu_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
  status: EmulatedRunStatus = 'in_progress';
  error: string | undefined;
  readonly done: Promise<void>;
  readonly #startedAt = Date.now();
  /** Aborts calls in flight (cancel, fail-fast, abortOn). */
  readonly #abort = new AbortController();
  /** Stops taking new items (all of the above, and an exhausted budget). */
  readonly #stopScheduling = new AbortController();
  #stopStatus: 'cancelled' | 'failed' | undefined;
  readonly #emit: ReturnType<typeof createEventEmitter>;
  /**
   * Whether anyone hears the events of items and workers: the journal keeps none of them, so
   * without observers they are not built at all (several objects per item saved).
   */
  readonly #itemEventsHeard: boolean;
  readonly #warned = new Set<string>();
  readonly #caller: RetryingCaller;
  readonly #items: ItemRunner;
  readonly #progress: RunProgress;
  /** The rate-limit story the viewer draws, when the job's store keeps run events. */
  readonly #journal: RunEventJournal | undefined;
  #interrupted = false;
  #detachInterrupt: (() => void) | undefined;

  constructor(
    readonly options: ResolvedEmulatedOptions,
    readonly part: SubmitPart,
    readonly context: SubmitContext,
    retry: RetryStrategy,
  ) {
    // Every worker in flight listens on these two signals (and removes its listener after):
    // dozens at once is the design, not a leak.
    setMaxListeners(0, this.#abort.signal, this.#stopScheduling.signal);
    const warnOnce = (key: string, text: string): void => this.#warnOnce(key, text);
    // The client's observers (and logger) hear every event too, after the adapter's own.
    const observers = context.observe === undefined ? options.observers : [...options.observers, context.observe];
    const emitToObservers = createEventEmitter(this.id, observers, (error) => warnOnce('observer', `An emulated-run observer threw: ${errorMessage(error)}`));
    const record = context.recordRunEvents?.bind(context);
    const journal = record === undefined ? undefined : new RunEventJournal(record, (error) => warnOnce('run-events', `The run's events could not be journaled: ${errorMessage(error)}`));
    this.#journal = journal;
    const emit: typeof emitToObservers = journal === undefined ? emitToObservers : (event) => {
      journal.take(event);
      emitToObservers(event);
    };
    this.#emit = emit;
    this.#itemEventsHeard = observers.length > 0;
    this.#caller = new RetryingCaller({ options, retry, signal: this.#abort.signal, emit });
    this.#items = new ItemRunner({
      options,
      // The adapter's own budget option wins; otherwise the job's `maxCostUsd`, handed over by the client.
      budget: options.budget ?? context.budget,
      signal: this.#abort.signal,
      caller: this.#caller,
      onBudgetExhausted: () => this.#stop('cancelled', 'The budget is exhausted: no further requests were started', false),
      warnOnce,
    });
    this.#progress = new RunProgress({ options, part, context, emit, itemEventsHeard: this.#itemEventsHeard, startedAt: this.#startedAt, warnOnce });
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

  #interrupt(): void {
    if (this.status !== 'in_progress' && this.status !== 'cancelling') return;
    this.#interrupted = true;
    this.#stop('failed', 'The run was interrupted before it ended; resume the job to run the rest');
  }

  /** The run as the core polls it. */
  poll(): PollResult {
    const { succeeded, failed, cancelled, pending } = this.#progress.counts;
    const result: PollResult = {
      status: this.status,
      rawStatus: this.status,
      counts: { succeeded, failed, cancelled, pending },
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
        ...(this.#itemEventsHeard
          ? {
              onWorkerStarted: (worker: number) => this.#emit({ type: 'worker.started', worker }),
              onWorkerStopped: (worker: number) => this.#emit({ type: 'worker.stopped', worker }),
            }
          : {}),
      });
    } catch (error) {
      this.#stop('failed', prepared ? `The emulated run stopped: ${errorMessage(error)}` : `The call strategy failed to prepare: ${errorMessage(error)}`);
    } finally {
      this.#detachInterrupt?.();
      this.#caller.close();
      // Written before the run reports its end: a finished job has its whole story.
      await this.#journal?.flush();
      try {
        await options.call.cleanup?.();
      } catch (error) {
        this.#warnOnce('cleanup', `The call strategy's cleanup failed: ${errorMessage(error)}`);
      }
    }
    this.status = this.#stopStatus ?? 'completed';
    const { succeeded, failed, cancelled } = this.#progress.counts;
    this.#emit({
      type: 'job.completed',
      jobId: this.part.jobId,
      status: this.status as 'completed' | 'cancelled' | 'failed',
      succeeded,
      failed,
      cancelled,
      elapsedMs: Date.now() - this.#startedAt,
      ...(this.error === undefined ? {} : { error: this.error }),
    });
  }

  async #processItem(original: BatchRequest, park: WorkerContext['park']): Promise<void> {
    const { options } = this;
    const attempts: ItemAttempts = { calls: 0, budgetRetries: 0, rateLimitRetries: 0, startedAt: Date.now(), park };
    this.#progress.itemStarted();
    if (this.#itemEventsHeard) this.#emit({ type: 'item.started', id: original.id });
    let result: BatchResult;
    let request = original;
    let stopAfter: { status: 'failed'; error: string } | undefined;
    const hasMiddleware = options.middleware.length > 0;
    try {
      // Without middleware, no promise of its own per item.
      const before = hasMiddleware ? await applyBefore(options.middleware, original) : original;
      if (isSkipRequest(before)) {
        result = before.result ?? {
          id: original.id,
          status: 'cancelled',
          error: { category: 'cancelled', message: 'Skipped by middleware', retryable: false },
        };
        if (result.id !== original.id) result = { ...result, id: original.id };
      } else {
        request = before.id === original.id ? before : { ...before, id: original.id };
        result = await this.#items.run(request, attempts);
        if (hasMiddleware && (result.status === 'succeeded' || result.status === 'failed')) {
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
    this.#progress.itemSettled();
    // An item whose call the interruption aborted has not ended: it stays pending for `resume`.
    if (this.#interrupted && result.status === 'cancelled' && result.error === cancelledError) return;
    // The request's own context comes back on its result (it was never sent to the provider).
    if (original.metadata !== undefined && result.metadata === undefined) result = withKey(result, 'metadata', original.metadata);
    await this.#progress.record(result, attempts);
  }
}
