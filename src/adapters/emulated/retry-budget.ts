/**
 * Whether a retry of a scattered server error may go out at once instead of after the retry
 * strategy's backoff: a token bucket in the manner of gRPC's retry throttling and the AWS SDK's retry
 * quota. Each quick retry spends a token and each successful call earns back `ratio` of one, so
 * quick retries go on while failures stay under about `ratio` of the successes (with the default
 * 0.2, about one call in six) and stop, back to the full backoff, as soon as the failure rate rises
 * above it: an outage or an overloaded server gets the backoff, a server that sheds a few calls at
 * random does not leave items sleeping while the run drains.
 */
export class RetryBudget {
  readonly #capacity: number;
  readonly #ratio: number;
  #tokens: number;

  constructor(capacity: number, ratio: number) {
    this.#capacity = capacity;
    this.#ratio = ratio;
    this.#tokens = capacity;
  }

  /** Tokens left (a quick retry needs one). */
  get tokens(): number {
    return this.#tokens;
  }

  /** A call succeeded: earn back `ratio` of a token. */
  succeeded(): void {
    if (this.#tokens < this.#capacity) this.#tokens = Math.min(this.#capacity, this.#tokens + this.#ratio);
  }

  /** Spends a token for a quick retry; false (nothing spent) when fewer than one is left. */
  tryQuickRetry(): boolean {
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
