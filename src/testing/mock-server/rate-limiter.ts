/**
 * Token-bucket rate limits that refill continuously, reported through the providers' real headers.
 */
import { rfc3339 } from './batch-clock.js';
import type { MockProvider, MockRateLimitOptions } from './options.js';

/** Formats milliseconds the way Go's `time.Duration` prints, as OpenAI's reset headers do (`12ms`, `1.5s`, `6m0s`). */
export function formatGoDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const secondsValue = Math.round((totalSeconds % 60) * 1000) / 1000;
  const secondsText = `${Number.isInteger(secondsValue) ? secondsValue : secondsValue.toFixed(3).replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

class TokenBucket {
  private level: number;
  private updatedAt: number;
  private readonly refillPerMs: number;

  constructor(readonly capacity: number, now: number) {
    this.level = capacity;
    this.updatedAt = now;
    this.refillPerMs = capacity / 60_000;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
  }

  /** Milliseconds until `amount` would fit (0 when it fits now). */
  waitFor(amount: number, now: number): number {
    this.refill(now);
    const needed = Math.min(amount, this.capacity) - this.level;
    return needed <= 0 ? 0 : Math.ceil(needed / this.refillPerMs);
  }

  take(amount: number): void {
    this.level -= amount;
  }

  remaining(now: number): number {
    this.refill(now);
    return Math.max(0, Math.floor(this.level));
  }

  /** Milliseconds until the bucket is full again. */
  resetMs(now: number): number {
    this.refill(now);
    return Math.ceil((this.capacity - this.level) / this.refillPerMs);
  }
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly retryAfterMs: number;
  readonly headers: Record<string, string>;
}

/** The limits of one provider. */
export class ProviderRateLimiter {
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;
  readonly defaultMaxTokens: number;

  constructor(private readonly provider: MockProvider, options: MockRateLimitOptions, now: number) {
    for (const key of ['requestsPerMinute', 'tokensPerMinute', 'defaultMaxTokens'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new TypeError(`Option rateLimit.${key} must be a positive number, got ${String(value)}`);
      }
    }
    this.requests = options.requestsPerMinute === undefined ? undefined : new TokenBucket(options.requestsPerMinute, now);
    this.tokens = options.tokensPerMinute === undefined ? undefined : new TokenBucket(options.tokensPerMinute, now);
    this.defaultMaxTokens = options.defaultMaxTokens ?? 1024;
  }

  get active(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /** Takes one request and `tokens` estimated tokens, or refuses with the wait until they would fit. */
  check(tokens: number, now: number): RateLimitDecision {
    const requestWait = this.requests?.waitFor(1, now) ?? 0;
    const tokenWait = this.tokens?.waitFor(tokens, now) ?? 0;
    const allowed = requestWait === 0 && tokenWait === 0;
    if (allowed) {
      this.requests?.take(1);
      this.tokens?.take(tokens);
    }
    return { allowed, retryAfterMs: Math.max(requestWait, tokenWait), headers: this.headers(now) };
  }

  /** The remaining-budget headers, as sent on every response while a limit is set. */
  headers(now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    // Gemini reports no rate-limit headers; a 429 carries its RetryInfo in the body.
    if (this.provider === 'gemini') return headers;
    if (this.provider === 'openai') {
      if (this.requests !== undefined) {
        headers['x-ratelimit-limit-requests'] = String(this.requests.capacity);
        headers['x-ratelimit-remaining-requests'] = String(this.requests.remaining(now));
        headers['x-ratelimit-reset-requests'] = formatGoDuration(this.requests.resetMs(now));
      }
      if (this.tokens !== undefined) {
        headers['x-ratelimit-limit-tokens'] = String(this.tokens.capacity);
        headers['x-ratelimit-remaining-tokens'] = String(this.tokens.remaining(now));
        headers['x-ratelimit-reset-tokens'] = formatGoDuration(this.tokens.resetMs(now));
      }
      return headers;
    }
    if (this.requests !== undefined) {
      headers['anthropic-ratelimit-requests-limit'] = String(this.requests.capacity);
      headers['anthropic-ratelimit-requests-remaining'] = String(this.requests.remaining(now));
      headers['anthropic-ratelimit-requests-reset'] = rfc3339(now + this.requests.resetMs(now));
    }
    if (this.tokens !== undefined) {
      // One bucket backs the combined, input and output token limits: the emulator does not split them.
      const limit = String(this.tokens.capacity);
      const remaining = String(this.tokens.remaining(now));
      const reset = rfc3339(now + this.tokens.resetMs(now));
      for (const kind of ['tokens', 'input-tokens', 'output-tokens']) {
        headers[`anthropic-ratelimit-${kind}-limit`] = limit;
        headers[`anthropic-ratelimit-${kind}-remaining`] = remaining;
        headers[`anthropic-ratelimit-${kind}-reset`] = reset;
      }
    }
    return headers;
  }
}
