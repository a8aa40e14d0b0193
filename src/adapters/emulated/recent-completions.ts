/** Share of the completions within the last round trip that must be 429s to count as rate limiting. */
const denseRateLimitShare = 0.5;

/**
 * The latest completions (a ring) and the smoothed round trip, to tell dense 429s (real rate
 * limiting) from scattered ones (a server shedding a few calls at random).
 */
export class RecentCompletions {
  readonly #now: () => number;
  /** Smoothed duration of a call (grant to release), the "round trip" for telling dense 429s from scattered ones. */
  #roundTripMs: number | undefined;
  /** End times and kinds of the latest completions (a ring), newest at `#next - 1`. */
  readonly #endedAt: Float64Array;
  readonly #rateLimited: Uint8Array;
  #next = 0;
  #count = 0;

  constructor(maxConcurrency: number, now: () => number) {
    this.#now = now;
    // A round trip holds at most about `maxConcurrency` completions; twice that leaves slack for jitter.
    const size = Math.max(16, maxConcurrency * 2);
    this.#endedAt = new Float64Array(size);
    this.#rateLimited = new Uint8Array(size);
  }

  /** Records one completion of a call granted at `grantedAt` and updates the round-trip estimate. */
  remember(grantedAt: number, rateLimited: boolean): void {
    const now = this.#now();
    const durationMs = Math.max(0, now - grantedAt);
    this.#roundTripMs = this.#roundTripMs === undefined ? durationMs : this.#roundTripMs * 0.9 + durationMs * 0.1;
    this.#endedAt[this.#next] = now;
    this.#rateLimited[this.#next] = rateLimited ? 1 : 0;
    this.#next = (this.#next + 1) % this.#endedAt.length;
    this.#count = Math.min(this.#count + 1, this.#endedAt.length);
  }

  /** Whether at least half of the completions within the last round trip (the latest included) were 429s. */
  rateLimitsAreDense(): boolean {
    const size = this.#endedAt.length;
    const since = this.#now() - Math.max(1, this.#roundTripMs ?? 0);
    let completions = 0;
    let rateLimited = 0;
    for (let back = 1; back <= this.#count; back++) {
      const index = (this.#next - back + size) % size;
      if ((this.#endedAt[index] as number) < since) break;
      completions += 1;
      rateLimited += this.#rateLimited[index] as number;
    }
    return rateLimited >= denseRateLimitShare * completions;
  }
}
