import { AbortError } from '../../errors/abort-error.js';
import type { CooldownCause } from '../../models/run-event.js';
import { ConcurrencyWindow } from './concurrency-window.js';
import type { RateLimitSnapshot } from './parse-rate-limit-headers.js';
import { RateBuckets } from './rate-buckets.js';
import { RecentCompletions } from './recent-completions.js';

/** Options of {@link AdaptiveRateLimiter}. */
export interface AdaptiveRateLimiterOptions {
  /** Most calls in flight at once (the window never grows past it). */
  readonly maxConcurrency: number;
  /** A requests-per-minute limit enforced locally. */
  readonly requestsPerMinute?: number;
  /** A tokens-per-minute limit enforced locally (estimated before the call, corrected after). */
  readonly tokensPerMinute?: number;
  /**
   * Learn limits from response headers, hold every caller during a 429's retry-after (one shared
   * cooldown) when the 429 shows real rate limiting, and shrink/regrow the window (slow start, AIMD).
   * @default true
   */
  readonly adaptive?: boolean;
  /**
   * Minimum spacing between the first `maxConcurrency` grants after a cooldown, so released
   * callers do not hit the server in one burst. Never more than the cooldown divided by `maxConcurrency`.
   * @default 10
   */
  readonly releaseSpacingMs?: number;
  /** Cooldown used for a 429 without any retry-after, doubled for each consecutive one. @default 1000 */
  readonly defaultCooldownMs?: number;
  /** Shortest shared cooldown, whatever the retry-after says. @default 0 */
  readonly minCooldownMs?: number;
  /** Longest single cooldown. @default 60_000 */
  readonly maxCooldownMs?: number;
  /** Learn limits and what is left of them from response headers; a 429 whose headers say a budget is spent is real rate limiting. @default adaptive */
  readonly learnFromHeaders?: boolean;
  /** Pause every caller for a 429 that shows real rate limiting (otherwise its caller waits alone). @default adaptive */
  readonly sharedCooldown?: boolean;
  /** Shrink the concurrency window on real rate limiting and 529s, restart it after a cooldown, regrow it on successes. @default adaptive */
  readonly adaptiveWindow?: boolean;
  /** What the window is multiplied by on real rate limiting or a 529. @default 0.5 */
  readonly decreaseFactor?: number;
  /** The window after a cooldown, from which slow start ramps up. @default 1 */
  readonly restartWindow?: number;
  /** Share of the last round trip's calls that must be 429s for them to count as real rate limiting. @default 0.5 */
  readonly denseShare?: number;
  readonly now?: () => number;
  readonly onCooldownStarted?: (until: number, durationMs: number, cause: CooldownCause) => void;
  readonly onCooldownEnded?: (durationMs: number) => void;
  /** The concurrency window's size changed (checked as each call is released: one comparison). */
  readonly onWindowChanged?: (size: number) => void;
}

/** The right to make one call. Hand it back to {@link AdaptiveRateLimiter.release}. */
export interface RateLimitPermit {
  readonly tokens: number;
  readonly grantedAt: number;
}

/** How a call ended, as far as the limiter cares. */
export type RateLimitOutcome =
  | { kind: 'success'; snapshot?: RateLimitSnapshot; actualTokens?: number }
  | { kind: 'rate_limited'; snapshot?: RateLimitSnapshot; retryAfterMs?: number }
  | { kind: 'overloaded'; snapshot?: RateLimitSnapshot }
  | { kind: 'error'; snapshot?: RateLimitSnapshot };

interface Waiter {
  readonly tokens: number;
  resolve(permit: RateLimitPermit): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * Decides when each call may start: token buckets for requests and tokens per minute, a concurrency
 * window that halves on 429/529 and regrows (slow start up to the threshold, then +1 per window of
 * successes), and one coordinated cooldown for every caller after a 429 that shows real rate limiting
 * (several 429s extend it to the latest deadline instead of stacking). Waiters are served first come,
 * first served.
 *
 * A 429 shows real rate limiting when its headers say a budget is spent (`remaining` at 0) or when
 * 429s are dense: at least half of the calls of the last round trip (those that ended within it, and
 * those in flight that were sent no later than the refused one; the round trip is that of
 * successful calls). Scattered 429s
 * (a server shedding a few calls at random) neither pause the others nor shrink the window: only the
 * caller that met one waits out its retry-after ({@link AdaptiveRateLimiter.release} returns false).
 *
 * The limiter owns the queue of waiters, the cooldown and the spacing of grants after it; the
 * buckets ({@link RateBuckets}), the window ({@link ConcurrencyWindow}) and the density check
 * ({@link RecentCompletions}) each live in their own module.
 */
export class AdaptiveRateLimiter {
  readonly #maxConcurrency: number;
  readonly #adaptive: boolean;
  readonly #learnFromHeaders: boolean;
  readonly #sharedCooldown: boolean;
  readonly #adaptiveWindow: boolean;
  readonly #minCooldownMs: number;
  readonly #releaseSpacingMs: number;
  readonly #defaultCooldownMs: number;
  readonly #maxCooldownMs: number;
  readonly #now: () => number;
  readonly #options: AdaptiveRateLimiterOptions;
  readonly #buckets: RateBuckets;
  readonly #window: ConcurrencyWindow;
  readonly #recent: RecentCompletions;
  #inFlight = 0;
  /** The permits in flight (adaptive only): how many were sent no later than a refused call. */
  readonly #inFlightGrants = new Set<RateLimitPermit>();
  /** Estimated tokens of the calls in flight (sent, maybe not yet counted by the server). */
  #inFlightTokens = 0;
  #waiters: Waiter[] = [];
  #waiterHead = 0;
  #cooldownUntil = 0;
  #cooldownStartedAt: number | undefined;
  #lastGrantAt = -Infinity;
  /** Grants still to space out after the last cooldown. */
  #spacedGrantsLeft = 0;
  #spacingMs = 0;
  #consecutiveRateLimits = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #closed = false;
  /** The window size last reported to `onWindowChanged`. */
  #reportedWindow: number;

  constructor(options: AdaptiveRateLimiterOptions) {
    this.#options = options;
    this.#maxConcurrency = options.maxConcurrency;
    const adaptive = options.adaptive ?? true;
    this.#learnFromHeaders = options.learnFromHeaders ?? adaptive;
    this.#sharedCooldown = options.sharedCooldown ?? adaptive;
    this.#adaptiveWindow = options.adaptiveWindow ?? adaptive;
    // Telling real rate limiting from scattered 429s is needed by the cooldown and the window.
    this.#adaptive = this.#sharedCooldown || this.#adaptiveWindow;
    this.#releaseSpacingMs = options.releaseSpacingMs ?? 10;
    this.#defaultCooldownMs = options.defaultCooldownMs ?? 1000;
    this.#minCooldownMs = options.minCooldownMs ?? 0;
    this.#maxCooldownMs = options.maxCooldownMs ?? 60_000;
    const now = options.now ?? Date.now;
    this.#now = now;
    this.#buckets = new RateBuckets({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute, now });
    this.#window = new ConcurrencyWindow(this.#maxConcurrency, now, options.decreaseFactor, options.restartWindow);
    this.#recent = new RecentCompletions(this.#maxConcurrency, now, options.denseShare);
    this.#reportedWindow = this.#window.size;
  }

  /** The concurrency currently allowed. */
  get window(): number {
    return this.#window.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length - this.#waiterHead;
  }

  /** Whether every caller is held by a cooldown right now. */
  get coolingDown(): boolean {
    return this.#now() < this.#cooldownUntil;
  }

  /** The requests-per-minute limit in force (user-given or learned), if any. */
  get requestsPerMinute(): number | undefined {
    return this.#buckets.requestsPerMinute;
  }

  get tokensPerMinute(): number | undefined {
    return this.#buckets.tokensPerMinute;
  }

  /** Waits until a call may start. Rejects with an AbortError when `signal` aborts first. */
  acquire(tokens: number, signal?: AbortSignal): Promise<RateLimitPermit> {
    if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    if (this.#closed) return Promise.reject(new AbortError('The rate limiter is closed'));
    // Fast path: nobody queued and a call may start now. No waiter and no abort listener (adding
    // and removing one per call is a measurable share of the CPU at hundreds of calls per second).
    if (this.#waiterHead >= this.#waiters.length) {
      const permit = this.#tryGrant(tokens);
      if (permit !== undefined) return Promise.resolve(permit);
    }
    return new Promise<RateLimitPermit>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter, this.#waiterHead);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(new AbortError(undefined, { cause: signal?.reason }));
        this.#pump();
      };
      const waiter: Waiter = {
        tokens,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /**
   * Returns a permit with what happened, so the limiter can learn and adapt. For a `rate_limited`
   * outcome, returns whether a shared cooldown now covers its retry-after (the caller's next
   * {@link acquire} waits it out); false means the caller should wait out its own retry-after.
   */
  release(permit: RateLimitPermit, outcome: RateLimitOutcome): boolean {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#inFlightTokens = Math.max(0, this.#inFlightTokens - permit.tokens);
    let shared = false;
    if (this.#adaptive) this.#inFlightGrants.delete(permit);
    if (this.#adaptive) this.#recent.remember(permit.grantedAt, outcome.kind === 'success' || outcome.kind === 'rate_limited' ? outcome.kind : 'other');
    if (outcome.kind === 'success' && outcome.actualTokens !== undefined) this.#buckets.correct(permit.tokens, outcome.actualTokens);
    if (this.#learnFromHeaders && outcome.snapshot !== undefined) this.#buckets.learn(outcome.snapshot, this.#inFlight, this.#inFlightTokens);
    switch (outcome.kind) {
      case 'success':
        this.#consecutiveRateLimits = 0;
        if (this.#adaptiveWindow) this.#window.grow();
        break;
      case 'rate_limited': {
        // A 429 on a call sent before the latest shared cooldown ended is more of the same rate
        // limiting (one burst, whose answers a busy event loop may read late): its retry-after
        // extends the cooldown, so no released caller goes out before it has passed.
        const cause: CooldownCause | undefined = !this.#adaptive
          ? undefined
          : this.#learnFromHeaders && isBudgetSpent(outcome.snapshot)
            ? 'headers'
            : this.#sharedCooldown && permit.grantedAt < this.#cooldownUntil
              ? 'burst'
              : this.#recent.rateLimitsAreDense(this.#unrefusedSince(permit.grantedAt))
                ? 'dense'
                : undefined;
        if (cause !== undefined) {
          if (this.#adaptiveWindow) this.#window.decrease(permit.grantedAt);
          if (this.#sharedCooldown) {
            this.#consecutiveRateLimits += 1;
            const fallback = Math.min(this.#maxCooldownMs, this.#defaultCooldownMs * 2 ** Math.min(this.#consecutiveRateLimits - 1, 6));
            const asked = outcome.retryAfterMs ?? outcome.snapshot?.retryAfterMs ?? fallback;
            this.#startCooldown(Math.min(this.#maxCooldownMs, Math.max(this.#minCooldownMs, asked)), cause);
            shared = true;
          }
        }
        break;
      }
      case 'overloaded':
        if (this.#adaptiveWindow) this.#window.decrease(permit.grantedAt);
        break;
      case 'error':
        break;
    }
    if (this.#options.onWindowChanged !== undefined && this.#window.size !== this.#reportedWindow) {
      this.#reportedWindow = this.#window.size;
      this.#options.onWindowChanged(this.#reportedWindow);
    }
    this.#pump();
    return shared;
  }

  /** Calls in flight that were sent no later than `grantedAt` (the server has not refused them). */
  #unrefusedSince(grantedAt: number): number {
    let count = 0;
    for (const permit of this.#inFlightGrants) if (permit.grantedAt <= grantedAt) count += 1;
    return count;
  }

  /** Rejects every waiter and stops timers. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
    const waiters = this.#waiters.slice(this.#waiterHead);
    this.#waiters = [];
    this.#waiterHead = 0;
    for (const waiter of waiters) {
      waiter.cleanup();
      waiter.reject(new AbortError('The rate limiter is closed'));
    }
    this.#endCooldownIfDue(Infinity);
  }

  #startCooldown(durationMs: number, cause: CooldownCause): void {
    const now = this.#now();
    const until = now + Math.max(0, durationMs);
    if (until <= this.#cooldownUntil) return;
    const starting = this.#cooldownStartedAt === undefined;
    this.#cooldownUntil = until;
    // Spread the restart over at most the pause itself: a short pause needs no long ramp.
    this.#spacingMs = Math.min(this.#releaseSpacingMs, (until - (this.#cooldownStartedAt ?? now)) / this.#maxConcurrency);
    if (starting) {
      this.#cooldownStartedAt = now;
      this.#options.onCooldownStarted?.(until, until - now, cause);
    }
    if (this.#adaptiveWindow) this.#window.restart();
    this.#spacedGrantsLeft = this.#maxConcurrency;
  }

  #endCooldownIfDue(now: number): void {
    if (this.#cooldownStartedAt === undefined || now < this.#cooldownUntil) return;
    const durationMs = Math.max(0, Math.min(now, this.#cooldownUntil) - this.#cooldownStartedAt);
    this.#cooldownStartedAt = undefined;
    this.#options.onCooldownEnded?.(durationMs);
  }

  #pump(): void {
    if (this.#closed) return;
    this.#endCooldownIfDue(this.#now());
    while (this.#waiterHead < this.#waiters.length) {
      const now = this.#now();
      if (now < this.#cooldownUntil) {
        this.#schedule(this.#cooldownUntil - now);
        return;
      }
      this.#endCooldownIfDue(now);
      if (this.#inFlight >= this.window) return;
      if (this.#spacedGrantsLeft > 0 && now < this.#lastGrantAt + this.#spacingMs) {
        this.#schedule(this.#lastGrantAt + this.#spacingMs - now);
        return;
      }
      const waiter = this.#waiters[this.#waiterHead] as Waiter;
      const waitMs = this.#buckets.waitMs(waiter.tokens);
      if (waitMs > 0) {
        this.#schedule(waitMs);
        return;
      }
      this.#buckets.take(waiter.tokens);
      this.#waiters[this.#waiterHead] = undefined as unknown as Waiter;
      this.#waiterHead += 1;
      if (this.#waiterHead > 1024 && this.#waiterHead * 2 > this.#waiters.length) {
        this.#waiters = this.#waiters.slice(this.#waiterHead);
        this.#waiterHead = 0;
      }
      this.#inFlight += 1;
      this.#inFlightTokens += waiter.tokens;
      this.#lastGrantAt = now;
      if (this.#spacedGrantsLeft > 0) this.#spacedGrantsLeft -= 1;
      const permit: RateLimitPermit = { tokens: waiter.tokens, grantedAt: now };
      if (this.#adaptive) this.#inFlightGrants.add(permit);
      waiter.cleanup();
      waiter.resolve(permit);
    }
  }

  /** Grants a permit at once when nothing holds it back (cooldown, window, spacing, buckets); undefined otherwise. */
  #tryGrant(tokens: number): RateLimitPermit | undefined {
    const now = this.#now();
    if (now < this.#cooldownUntil) return undefined;
    this.#endCooldownIfDue(now);
    if (this.#inFlight >= this.window) return undefined;
    if (this.#spacedGrantsLeft > 0 && now < this.#lastGrantAt + this.#spacingMs) return undefined;
    if (!this.#buckets.allowsNow(tokens)) return undefined;
    this.#buckets.take(tokens);
    this.#inFlight += 1;
    this.#inFlightTokens += tokens;
    this.#lastGrantAt = now;
    if (this.#spacedGrantsLeft > 0) this.#spacedGrantsLeft -= 1;
    const permit: RateLimitPermit = { tokens, grantedAt: now };
    if (this.#adaptive) this.#inFlightGrants.add(permit);
    return permit;
  }

  #schedule(delayMs: number): void {
    const at = this.#now() + delayMs;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(1, Math.ceil(delayMs)));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }
}

/** Whether the headers of a 429 say a request or token budget is spent (as opposed to a 429 shed at random). */
function isBudgetSpent(snapshot: RateLimitSnapshot | undefined): boolean {
  if (snapshot === undefined) return false;
  for (const window of [snapshot.requests, snapshot.tokens, snapshot.inputTokens, snapshot.outputTokens]) {
    if (window?.remaining !== undefined && window.remaining <= 0) return true;
  }
  return false;
}
