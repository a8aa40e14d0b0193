/**
 * How many calls may be in flight, learned AIMD-style: halves (by default) on 429/529 (once per round
 * of calls), regrows by slow start up to the threshold and then by one per window of successes, and
 * restarts from one (by default) after a cooldown. Never more than `maxConcurrency`.
 */
export class ConcurrencyWindow {
  readonly #maxConcurrency: number;
  readonly #now: () => number;
  #window: number;
  #threshold: number;
  #lastDecreaseAt = -Infinity;
  readonly #decreaseFactor: number;
  readonly #restartWindow: number;

  /**
   * @param decreaseFactor what the window is multiplied by on a loss (0.5: halved, as TCP does)
   * @param restartWindow the window after a cooldown, from which slow start ramps up (1 by default)
   */
  constructor(maxConcurrency: number, now: () => number, decreaseFactor = 0.5, restartWindow = 1) {
    this.#maxConcurrency = maxConcurrency;
    this.#now = now;
    this.#window = maxConcurrency;
    this.#threshold = maxConcurrency;
    this.#decreaseFactor = decreaseFactor;
    this.#restartWindow = Math.min(maxConcurrency, restartWindow);
  }

  /** The concurrency currently allowed. */
  get size(): number {
    return Math.max(1, Math.floor(this.#window));
  }

  /** One call succeeded. */
  grow(): void {
    if (this.#window >= this.#maxConcurrency) return;
    // Slow start doubles the window per round trip up to the threshold, then +1 per full window.
    this.#window += this.#window < this.#threshold ? 1 : 1 / this.#window;
    this.#window = Math.min(this.#window, this.#maxConcurrency);
  }

  /** Halves the window once per round of calls: losses of calls granted (at `grantedAt`) before the last cut count once. */
  decrease(grantedAt: number): void {
    if (grantedAt <= this.#lastDecreaseAt) return;
    this.#lastDecreaseAt = this.#now();
    this.#threshold = Math.max(1, Math.floor(this.#window * this.#decreaseFactor));
    this.#window = this.#threshold;
  }

  /** After a pause the server's view is unknown: start again from a small window (one by default) and ramp up. */
  restart(): void {
    this.#threshold = Math.max(1, Math.min(this.#threshold, Math.floor(this.#window)));
    this.#window = Math.max(1, Math.min(this.#restartWindow, this.#threshold));
  }
}
