/** Share of the calls of the last round trip that must be 429s to count as rate limiting. */
export const defaultDenseShare = 0.5;

/** How a call ended, as far as telling dense 429s from scattered ones goes. */
export type CompletionKind = 'success' | 'rate_limited' | 'other';

/**
 * The latest completions (a ring) and the smoothed round trip of successful calls, to tell dense
 * 429s (real rate limiting) from scattered ones (a server shedding a few calls at random).
 *
 * The round trip is learned from successes only: a 429 answered at once (as real providers answer
 * them) takes a millisecond, and a round trip learned from it would shrink the window to the 429s
 * alone. Besides the calls that ended within the round trip, the calls still in flight that were
 * sent no later than the refused one count (the limiter passes how many): the server has had them
 * at least as long and not refused them. So the first instant 429s of a run, which end before any
 * success can, are read against everything sent with them, not against each other.
 */
export class RecentCompletions {
  readonly #now: () => number;
  readonly #denseShare: number;
  /** Smoothed duration of a successful call (grant to release); undefined until the first success. */
  #roundTripMs: number | undefined;
  /** End times and kinds of the latest completions (a ring), newest at `#next - 1`. */
  readonly #endedAt: Float64Array;
  readonly #rateLimited: Uint8Array;
  #next = 0;
  #count = 0;

  constructor(maxConcurrency: number, now: () => number, denseShare = defaultDenseShare) {
    this.#now = now;
    this.#denseShare = denseShare;
    // A round trip holds at most about `maxConcurrency` completions; twice that leaves slack for jitter.
    const size = Math.max(16, maxConcurrency * 2);
    this.#endedAt = new Float64Array(size);
    this.#rateLimited = new Uint8Array(size);
  }

  /** Records one completion of a call granted at `grantedAt`; a success updates the round-trip estimate. */
  remember(grantedAt: number, kind: CompletionKind): void {
    const now = this.#now();
    if (kind === 'success') {
      const durationMs = Math.max(0, now - grantedAt);
      this.#roundTripMs = this.#roundTripMs === undefined ? durationMs : this.#roundTripMs * 0.9 + durationMs * 0.1;
    }
    this.#endedAt[this.#next] = now;
    this.#rateLimited[this.#next] = kind === 'rate_limited' ? 1 : 0;
    this.#next = (this.#next + 1) % this.#endedAt.length;
    this.#count = Math.min(this.#count + 1, this.#endedAt.length);
  }

  /**
   * Whether 429s are at least the dense share (half by default) of the calls of the last round trip:
   * those that ended within it (the latest included) and `unrefused` more, the calls in flight sent
   * no later than the latest 429. Before the first success the round trip is unknown and every
   * remembered completion counts.
   */
  rateLimitsAreDense(unrefused: number): boolean {
    const size = this.#endedAt.length;
    const since = this.#roundTripMs === undefined ? -Infinity : this.#now() - Math.max(1, this.#roundTripMs);
    let completions = 0;
    let rateLimited = 0;
    for (let back = 1; back <= this.#count; back++) {
      const index = (this.#next - back + size) % size;
      if ((this.#endedAt[index] as number) < since) break;
      completions += 1;
      rateLimited += this.#rateLimited[index] as number;
    }
    return rateLimited > 0 && rateLimited >= this.#denseShare * (completions + unrefused);
  }
}
