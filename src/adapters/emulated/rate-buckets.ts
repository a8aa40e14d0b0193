import type { RateLimitSnapshot } from './parse-rate-limit-headers.js';
import { TokenBucket } from './token-bucket.js';

/** Options of {@link RateBuckets}. */
export interface RateBucketsOptions {
  /** A requests-per-minute limit of the user's: learned limits never exceed it. */
  readonly requestsPerMinute: number | undefined;
  /** A tokens-per-minute limit of the user's: learned limits never exceed it. */
  readonly tokensPerMinute: number | undefined;
  readonly now: () => number;
}

/**
 * The requests-per-minute and tokens-per-minute buckets: given by the user, or learned (and kept
 * in step) from the limits and what is left that response headers report.
 */
export class RateBuckets {
  readonly #now: () => number;
  readonly #userRequestsPerMinute: number | undefined;
  readonly #userTokensPerMinute: number | undefined;
  #requestBucket: TokenBucket | undefined;
  #tokenBucket: TokenBucket | undefined;

  constructor({ requestsPerMinute, tokensPerMinute, now }: RateBucketsOptions) {
    this.#now = now;
    this.#userRequestsPerMinute = requestsPerMinute;
    this.#userTokensPerMinute = tokensPerMinute;
    if (requestsPerMinute !== undefined) this.#requestBucket = new TokenBucket({ perMinute: requestsPerMinute, now });
    if (tokensPerMinute !== undefined) this.#tokenBucket = new TokenBucket({ perMinute: tokensPerMinute, now });
  }

  /** The requests-per-minute limit in force (user-given or learned), if any. */
  get requestsPerMinute(): number | undefined {
    return this.#requestBucket?.perMinute;
  }

  get tokensPerMinute(): number | undefined {
    return this.#tokenBucket?.perMinute;
  }

  /** Milliseconds until a call of `tokens` may start; 0 when it may now. */
  waitMs(tokens: number): number {
    return Math.max(this.#requestBucket?.waitMs(1) ?? 0, this.#tokenBucket?.waitMs(tokens) ?? 0);
  }

  /** Whether a call of `tokens` may start now (the token bucket is not asked when the request bucket says no). */
  allowsNow(tokens: number): boolean {
    return !((this.#requestBucket?.waitMs(1) ?? 0) > 0 || (this.#tokenBucket?.waitMs(tokens) ?? 0) > 0);
  }

  /** Takes one request and `tokens` tokens for a call that starts. */
  take(tokens: number): void {
    this.#requestBucket?.tryTake(1);
    this.#tokenBucket?.tryTake(tokens);
  }

  /** Gives back (or takes more of) the tokens estimated for a call once its real count is known. */
  correct(estimatedTokens: number, actualTokens: number): void {
    this.#tokenBucket?.adjust(estimatedTokens - actualTokens);
  }

  /**
   * Learns limits and what is left from a response's headers. Calls and tokens in flight (sent,
   * maybe not yet counted by the server) still count against what is left.
   */
  learn(snapshot: RateLimitSnapshot, inFlight: number, inFlightTokens: number): void {
    const requests = snapshot.requests;
    if (requests?.limit !== undefined && requests.limit > 0) {
      const perMinute = Math.min(requests.limit, this.#userRequestsPerMinute ?? Infinity);
      // When the server says what is left, the local bucket may hold what the server's does (a
      // minute's worth) and is clamped to `remaining` below: the initial burst the server allows is
      // used, never more. Without `remaining`, or under a lower limit of the user's, keep the
      // default (ten seconds' worth) to stay safe.
      const capacity = requests.remaining === undefined || perMinute < requests.limit ? TokenBucket.defaultCapacity(perMinute) : perMinute;
      if (this.#requestBucket === undefined) this.#requestBucket = new TokenBucket({ perMinute, capacity, now: this.#now });
      else if (this.#requestBucket.perMinute !== perMinute || this.#requestBucket.capacity !== capacity) this.#requestBucket.setRate(perMinute, capacity);
    }
    // Requests already sent but not yet seen by the server will still count against `remaining`.
    if (requests?.remaining !== undefined) this.#requestBucket?.clampTo(requests.remaining - inFlight);
    const tokens = snapshot.tokens ?? snapshot.inputTokens;
    if (tokens?.limit !== undefined && tokens.limit > 0) {
      const perMinute = Math.min(tokens.limit, this.#userTokensPerMinute ?? Infinity);
      const capacity = tokens.remaining === undefined || perMinute < tokens.limit ? TokenBucket.defaultCapacity(perMinute) : perMinute;
      if (this.#tokenBucket === undefined) this.#tokenBucket = new TokenBucket({ perMinute, capacity, now: this.#now });
      else if (this.#tokenBucket.perMinute !== perMinute || this.#tokenBucket.capacity !== capacity) this.#tokenBucket.setRate(perMinute, capacity);
    }
    if (tokens?.remaining !== undefined) this.#tokenBucket?.clampTo(tokens.remaining - inFlightTokens);
  }
}
