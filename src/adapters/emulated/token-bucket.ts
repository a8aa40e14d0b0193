/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Units added per minute (requests or tokens). */
  readonly perMinute: number;
  /**
   * Most units the bucket holds, i.e. the largest burst.
   * @default perMinute / 6 (ten seconds' worth), at least 1
   */
  readonly capacity?: number;
  /** Clock in milliseconds (tests pass a fake one). @default Date.now */
  readonly now?: () => number;
}

/**
 * A token bucket refilled continuously at `perMinute / 60_000` units per millisecond. A request larger
 * than the whole capacity is admitted once the bucket is full (and leaves it in debt), so an oversized
 * request waits but is never starved.
 */
export class TokenBucket {
  #perMinute: number;
  #capacity: number;
  #tokens: number;
  #updatedAt: number;
  readonly #now: () => number;

  constructor(options: TokenBucketOptions) {
    if (!(options.perMinute > 0) || !Number.isFinite(options.perMinute)) {
      throw new TypeError(`TokenBucket: perMinute must be a positive finite number, got ${String(options.perMinute)}`);
    }
    this.#now = options.now ?? Date.now;
    this.#perMinute = options.perMinute;
    this.#capacity = options.capacity ?? TokenBucket.defaultCapacity(options.perMinute);
    this.#tokens = this.#capacity;
    this.#updatedAt = this.#now();
  }

  /** Ten seconds' worth: bursts stay small enough that a server bucket of any common shape absorbs them. */
  static defaultCapacity(perMinute: number): number {
    return Math.max(1, perMinute / 6);
  }

  get perMinute(): number {
    return this.#perMinute;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Units available now (may be negative after an oversized request or a correction). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Changes the rate (for example to a limit learned from response headers), keeping the current fill. */
  setRate(perMinute: number, capacity = TokenBucket.defaultCapacity(perMinute)): void {
    if (!(perMinute > 0) || !Number.isFinite(perMinute)) return;
    this.#refill();
    this.#perMinute = perMinute;
    this.#capacity = capacity;
    this.#tokens = Math.min(this.#tokens, capacity);
  }

  /** Lowers the fill to at most `remaining` (what the server says is left). Never raises it. */
  clampTo(remaining: number): void {
    this.#refill();
    if (remaining < this.#tokens) this.#tokens = remaining;
  }

  /** Takes `amount` units if they are there (or if the bucket is full). Returns whether it did. */
  tryTake(amount: number): boolean {
    this.#refill();
    if (this.#tokens >= amount || this.#tokens >= this.#capacity) {
      this.#tokens -= amount;
      return true;
    }
    return false;
  }

  /** Gives back (positive) or takes more (negative) units after the real cost is known. */
  adjust(amount: number): void {
    this.#refill();
    this.#tokens = Math.min(this.#capacity, this.#tokens + amount);
  }

  /** Milliseconds until `tryTake(amount)` can succeed; 0 when it can now. */
  waitMs(amount: number): number {
    this.#refill();
    const needed = Math.min(amount, this.#capacity) - this.#tokens;
    if (needed <= 0) return 0;
    return Math.ceil((needed * 60_000) / this.#perMinute);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#updatedAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (elapsed * this.#perMinute) / 60_000);
      this.#updatedAt = now;
    }
  }
}
