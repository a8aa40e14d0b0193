import type { BatchResult } from '../../models/batch-result.js';
import type { SubmitContext, SubmitPart } from '../../provider/batch-provider.js';
import type { ResolvedEmulatedOptions } from './emulated-options.js';
import { errorMessage } from './error-message.js';
import type { ItemAttempts } from './item-attempts.js';
import type { createEventEmitter } from './observers.js';

/** What a {@link RunProgress} works with; all of it belongs to the run. */
export interface RunProgressOptions {
  readonly options: ResolvedEmulatedOptions;
  readonly part: SubmitPart;
  readonly context: SubmitContext;
  readonly emit: ReturnType<typeof createEventEmitter>;
  /** Whether anyone hears `item.completed` and `item.failed` (else they are not built). */
  readonly itemEventsHeard: boolean;
  /** Epoch milliseconds at which the run started (the rate in `onProgress` counts from it). */
  readonly startedAt: number;
  warnOnce(key: string, text: string): void;
}

/** The items of a run that ended, in flight or not yet started. */
export interface RunCounts {
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly pending: number;
}

/**
 * Where a run's items stand, and who hears when one ends: the journal first, then the counts,
 * the observers, `onResult` and `onProgress`.
 */
export class RunProgress {
  readonly #options: ResolvedEmulatedOptions;
  readonly #part: SubmitPart;
  readonly #context: SubmitContext;
  readonly #emit: ReturnType<typeof createEventEmitter>;
  readonly #itemEventsHeard: boolean;
  readonly #startedAt: number;
  readonly #warnOnce: (key: string, text: string) => void;
  #succeeded = 0;
  #failed = 0;
  #cancelled = 0;
  #inFlight = 0;

  constructor({ options, part, context, emit, itemEventsHeard, startedAt, warnOnce }: RunProgressOptions) {
    this.#options = options;
    this.#part = part;
    this.#context = context;
    this.#emit = emit;
    this.#itemEventsHeard = itemEventsHeard;
    this.#startedAt = startedAt;
    this.#warnOnce = warnOnce;
  }

  get counts(): RunCounts {
    const pending = Math.max(0, this.#part.requestCount - this.#succeeded - this.#failed - this.#cancelled);
    return { succeeded: this.#succeeded, failed: this.#failed, cancelled: this.#cancelled, pending };
  }

  /** An item left the queue and runs. */
  itemStarted(): void {
    this.#inFlight += 1;
  }

  /** An item has its result (not yet recorded). */
  itemSettled(): void {
    this.#inFlight -= 1;
  }

  /** Journals an ended item, counts it, and tells the observers, `onResult` and `onProgress`. */
  async record(result: BatchResult, attempts: ItemAttempts): Promise<void> {
    // Journaled before it is counted: a crash after this line never makes the item run twice.
    await this.#context.recordResult(result);
    if (result.status === 'succeeded') this.#succeeded += 1;
    else if (result.status === 'failed') this.#failed += 1;
    else this.#cancelled += 1;
    if (this.#itemEventsHeard) {
      const latencyMs = Date.now() - attempts.startedAt;
      const calls = Math.max(1, attempts.calls);
      if (result.status === 'failed') {
        this.#emit({ type: 'item.failed', id: result.id, error: result.error, attempts: calls, latencyMs });
      } else {
        this.#emit({ type: 'item.completed', id: result.id, status: result.status, attempts: calls, latencyMs });
      }
    }
    const options = this.#options;
    if (options.onResult !== undefined) {
      try {
        await options.onResult(result);
      } catch (error) {
        this.#warnOnce('onResult', `onResult threw: ${errorMessage(error)}`);
      }
    }
    if (options.onProgress !== undefined) {
      const done = this.#succeeded + this.#failed + this.#cancelled;
      const elapsedSeconds = Math.max(0.001, (Date.now() - this.#startedAt) / 1000);
      try {
        options.onProgress({
          id: result.id,
          status: result.status,
          done,
          total: this.#part.requestCount,
          succeeded: this.#succeeded,
          failed: this.#failed,
          cancelled: this.#cancelled,
          inFlight: this.#inFlight,
          ratePerSecond: done / elapsedSeconds,
        });
      } catch (error) {
        this.#warnOnce('onProgress', `onProgress threw: ${errorMessage(error)}`);
      }
    }
  }
}
