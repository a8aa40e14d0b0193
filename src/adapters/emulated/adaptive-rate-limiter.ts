import { AbortError } from '../../errors/abort-error.js';
import type { RateLimitSnapshot } from './parse-rate-limit-headers.js';
import { TokenBucket } from './token-bucket.js';

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
  /** Longest single cooldown. @default 60_000 */
  readonly maxCooldownMs?: number;
  readonly now?: () => number;
  readonly onCooldownStarted?: (until: number, durationMs: number) => void;
  readonly onCooldownEnded?: (durationMs: number) => void;
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

/** Share of the completions within the last round trip that must be 429s to count as rate limiting. */
const denseRateLimitShare = 0.5;

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
 * 429s are dense: at least half of the calls that ended within the last round trip. Scattered 429s
 * (a server shedding a few calls at random) neither pause the others nor shrink the window: only the
 * caller that met one waits out its retry-after ({@link AdaptiveRateLimiter.release} returns false).
 */
export class AdaptiveRateLimiter {
  readonly #maxConcurrency: number;
  readonly #adaptive: boolean;
  readonly #releaseSpacingMs: number;
  readonly #defaultCooldownMs: number;
  readonly #maxCooldownMs: number;
  readonly #now: () => number;
  readonly #options: AdaptiveRateLimiterOptions;
  readonly #userRequestsPerMinute: number | undefined;
  readonly #userTokensPerMinute: number | undefined;
  #requestBucket: TokenBucket | undefined;
  #tokenBucket: TokenBucket | undefined;
  #window: number;
  #threshold: number;
  #inFlight = 0;
  /** Estimated tokens of the calls in flight (sent, maybe not yet counted by the server). */
  #inFlightTokens = 0;
  #waiters: Waiter[] = [];
  #waiterHead = 0;
  #cooldownUntil = 0;
  #cooldownStartedAt: number | undefined;
  #lastDecreaseAt = -Infinity;
  #lastGrantAt = -Infinity;
  /** Grants still to space out after the last cooldown. */
  #spacedGrantsLeft = 0;
  #spacingMs = 0;
  #consecutiveRateLimits = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #closed = false;
  /** Smoothed duration of a call (grant to release), the "round trip" for telling dense 429s from scattered ones. */
  #roundTripMs: number | undefined;
  /** End times and kinds of the latest completions (a ring), newest at `#recentNext - 1`. */
  readonly #recentEndedAt: Float64Array;
  readonly #recentRateLimited: Uint8Array;
  #recentNext = 0;
  #recentCount = 0;

  constructor(options: AdaptiveRateLimiterOptions) {
    this.#options = options;
    this.#maxConcurrency = options.maxConcurrency;
    this.#adaptive = options.adaptive ?? true;
    this.#releaseSpacingMs = options.releaseSpacingMs ?? 10;
    this.#defaultCooldownMs = options.defaultCooldownMs ?? 1000;
    this.#maxCooldownMs = options.maxCooldownMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#userRequestsPerMinute = options.requestsPerMinute;
    this.#userTokensPerMinute = options.tokensPerMinute;
    const now = this.#now;
    if (options.requestsPerMinute !== undefined) this.#requestBucket = new TokenBucket({ perMinute: options.requestsPerMinute, now });
    if (options.tokensPerMinute !== undefined) this.#tokenBucket = new TokenBucket({ perMinute: options.tokensPerMinute, now });
    this.#window = this.#maxConcurrency;
    this.#threshold = this.#maxConcurrency;
    // A round trip holds at most about `maxConcurrency` completions; twice that leaves slack for jitter.
    const recentSize = Math.max(16, this.#maxConcurrency * 2);
    this.#recentEndedAt = new Float64Array(recentSize);
    this.#recentRateLimited = new Uint8Array(recentSize);
  }

  /** The concurrency currently allowed. */
  get window(): number {
    return Math.max(1, Math.floor(this.#window));
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
    return this.#requestBucket?.perMinute;
  }

  get tokensPerMinute(): number | undefined {
    return this.#tokenBucket?.perMinute;
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
    if (this.#adaptive) this.#remember(permit, outcome.kind === 'rate_limited');
    if (outcome.kind === 'success' && outcome.actualTokens !== undefined && this.#tokenBucket !== undefined) {
      this.#tokenBucket.adjust(permit.tokens - outcome.actualTokens);
    }
    if (this.#adaptive && outcome.snapshot !== undefined) this.#learn(outcome.snapshot);
    switch (outcome.kind) {
      case 'success':
        this.#consecutiveRateLimits = 0;
        if (this.#adaptive) this.#grow();
        break;
      case 'rate_limited':
        if (this.#adaptive && (isBudgetSpent(outcome.snapshot) || this.#rateLimitsAreDense())) {
          this.#decrease(permit);
          this.#consecutiveRateLimits += 1;
          const fallback = Math.min(this.#maxCooldownMs, this.#defaultCooldownMs * 2 ** Math.min(this.#consecutiveRateLimits - 1, 6));
          this.#startCooldown(Math.min(this.#maxCooldownMs, outcome.retryAfterMs ?? outcome.snapshot?.retryAfterMs ?? fallback));
          shared = true;
        }
        break;
      case 'overloaded':
        if (this.#adaptive) this.#decrease(permit);
        break;
      case 'error':
        break;
    }
    this.#pump();
    return shared;
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

  /** Records one completion for the density check and updates the round-trip estimate. */
  #remember(permit: RateLimitPermit, rateLimited: boolean): void {
    const now = this.#now();
    const durationMs = Math.max(0, now - permit.grantedAt);
    this.#roundTripMs = this.#roundTripMs === undefined ? durationMs : this.#roundTripMs * 0.9 + durationMs * 0.1;
    this.#recentEndedAt[this.#recentNext] = now;
    this.#recentRateLimited[this.#recentNext] = rateLimited ? 1 : 0;
    this.#recentNext = (this.#recentNext + 1) % this.#recentEndedAt.length;
    this.#recentCount = Math.min(this.#recentCount + 1, this.#recentEndedAt.length);
  }

  /** Whether at least half of the completions within the last round trip (this one included) were 429s. */
  #rateLimitsAreDense(): boolean {
    const size = this.#recentEndedAt.length;
    const since = this.#now() - Math.max(1, this.#roundTripMs ?? 0);
    let completions = 0;
    let rateLimited = 0;
    for (let back = 1; back <= this.#recentCount; back++) {
      const index = (this.#recentNext - back + size) % size;
      if ((this.#recentEndedAt[index] as number) < since) break;
      completions += 1;
      rateLimited += this.#recentRateLimited[index] as number;
    }
    return rateLimited >= denseRateLimitShare * completions;
  }

  #learn(snapshot: RateLimitSnapshot): void {
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
    if (requests?.remaining !== undefined) this.#requestBucket?.clampTo(requests.remaining - this.#inFlight);
    const tokens = snapshot.tokens ?? snapshot.inputTokens;
    if (tokens?.limit !== undefined && tokens.limit > 0) {
      const perMinute = Math.min(tokens.limit, this.#userTokensPerMinute ?? Infinity);
      const capacity = tokens.remaining === undefined || perMinute < tokens.limit ? TokenBucket.defaultCapacity(perMinute) : perMinute;
      if (this.#tokenBucket === undefined) this.#tokenBucket = new TokenBucket({ perMinute, capacity, now: this.#now });
      else if (this.#tokenBucket.perMinute !== perMinute || this.#tokenBucket.capacity !== capacity) this.#tokenBucket.setRate(perMinute, capacity);
    }
    if (tokens?.remaining !== undefined) this.#tokenBucket?.clampTo(tokens.remaining - this.#inFlightTokens);
  }

  #grow(): void {
    if (this.#window >= this.#maxConcurrency) return;
    // Slow start doubles the window per round trip up to the threshold, then +1 per full window.
    this.#window += this.#window < this.#threshold ? 1 : 1 / this.#window;
    this.#window = Math.min(this.#window, this.#maxConcurrency);
  }

  /** Halves the window once per round of calls: losses of calls sent before the last cut count once. */
  #decrease(permit: RateLimitPermit): void {
    if (permit.grantedAt <= this.#lastDecreaseAt) return;
    this.#lastDecreaseAt = this.#now();
    this.#threshold = Math.max(1, Math.floor(this.#window / 2));
    this.#window = this.#threshold;
  }

  #startCooldown(durationMs: number): void {
    const now = this.#now();
    const until = now + Math.max(0, durationMs);
    if (until <= this.#cooldownUntil) return;
    const starting = this.#cooldownStartedAt === undefined;
    this.#cooldownUntil = until;
    // Spread the restart over at most the pause itself: a short pause needs no long ramp.
    this.#spacingMs = Math.min(this.#releaseSpacingMs, (until - (this.#cooldownStartedAt ?? now)) / this.#maxConcurrency);
    if (starting) {
      this.#cooldownStartedAt = now;
      this.#options.onCooldownStarted?.(until, until - now);
    }
    // After a pause the server's view is unknown: start again from a small window and ramp up.
    this.#threshold = Math.max(1, Math.min(this.#threshold, Math.floor(this.#window)));
    this.#window = 1;
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
      const waitMs = Math.max(this.#requestBucket?.waitMs(1) ?? 0, this.#tokenBucket?.waitMs(waiter.tokens) ?? 0);
      if (waitMs > 0) {
        this.#schedule(waitMs);
        return;
      }
      this.#requestBucket?.tryTake(1);
      this.#tokenBucket?.tryTake(waiter.tokens);
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
      waiter.cleanup();
      waiter.resolve({ tokens: waiter.tokens, grantedAt: now });
    }
  }

  /** Grants a permit at once when nothing holds it back (cooldown, window, spacing, buckets); undefined otherwise. */
  #tryGrant(tokens: number): RateLimitPermit | undefined {
    const now = this.#now();
    if (now < this.#cooldownUntil) return undefined;
    this.#endCooldownIfDue(now);
    if (this.#inFlight >= this.window) return undefined;
    if (this.#spacedGrantsLeft > 0 && now < this.#lastGrantAt + this.#spacingMs) return undefined;
    if ((this.#requestBucket?.waitMs(1) ?? 0) > 0 || (this.#tokenBucket?.waitMs(tokens) ?? 0) > 0) return undefined;
    this.#requestBucket?.tryTake(1);
    this.#tokenBucket?.tryTake(tokens);
    this.#inFlight += 1;
    this.#inFlightTokens += tokens;
    this.#lastGrantAt = now;
    if (this.#spacedGrantsLeft > 0) this.#spacedGrantsLeft -= 1;
    return { tokens, grantedAt: now };
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
