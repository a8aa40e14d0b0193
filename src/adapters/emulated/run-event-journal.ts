import type { RunEvent } from '../../models/run-event.js';
import type { EmulatedEvent } from './observers.js';

/** How often buffered events are written, and the shortest spacing of two concurrency entries. */
export const runEventFlushMs = 250;

/**
 * Journals the events of a run the viewer draws (429s, cooldowns, the concurrency window, retries)
 * through the job's store: buffered and written at most every {@link runEventFlushMs}, the window
 * coalesced to its last size per interval. It sees every event the run emits, but keeps only those:
 * the success path of a call adds nothing to it.
 */
export class RunEventJournal {
  readonly #write: (events: readonly RunEvent[]) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #buffer: RunEvent[] = [];
  #window: RunEvent | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(write: (events: readonly RunEvent[]) => Promise<void>, onError: (error: unknown) => void) {
    this.#write = write;
    this.#onError = onError;
  }

  /** Looks at one event of the run; keeps the few kinds the journal holds. */
  take(event: { readonly type: EmulatedEvent['type'] }): void {
    const e = event as EmulatedEvent;
    switch (e.type) {
      case 'rate_limit.hit':
        this.#push({ type: 'rate_limited', at: Date.now(), category: e.category, ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }) });
        return;
      case 'retry.scheduled':
        this.#push({ type: 'retry', at: Date.now(), attempt: e.attempt, category: e.category });
        return;
      case 'cooldown.started':
        this.#push({ type: 'cooldown_started', at: Date.now(), durationMs: e.durationMs, ...(e.cause === undefined ? {} : { cause: e.cause }) });
        return;
      case 'cooldown.ended':
        this.#push({ type: 'cooldown_ended', at: Date.now(), durationMs: e.durationMs });
        return;
      case 'job.started':
        // Where the window starts, so that a line can be drawn from the beginning.
        this.#push({ type: 'concurrency', at: Date.now(), size: e.concurrency });
        return;
      case 'concurrency.changed':
        this.#window = { type: 'concurrency', at: Date.now(), size: e.size };
        this.#schedule();
        return;
      default:
        return;
    }
  }

  /** Writes what is buffered; resolves once everything taken so far is stored (or failed). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#window !== undefined) {
      const window = this.#window;
      this.#window = undefined;
      // In its place in time among the others (a stable insert from the end: it is usually last).
      let index = this.#buffer.length;
      while (index > 0 && this.#buffer[index - 1]!.at > window.at) index -= 1;
      this.#buffer.splice(index, 0, window);
    }
    if (this.#buffer.length > 0) {
      const events = this.#buffer;
      this.#buffer = [];
      // In order: one write at a time.
      this.#writing = this.#writing.then(() => this.#write(events)).catch((error: unknown) => this.#onError(error));
    }
    return this.#writing;
  }

  #push(event: RunEvent): void {
    this.#buffer.push(event);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, runEventFlushMs);
    this.#timer.unref?.();
  }
}
