import { type HeadersLike, parseRetryAfter, readHeader } from '../../errors/parse-retry-after.js';

/** One limit as the provider reports it. Reset is a duration from the moment the headers were read. */
export interface RateLimitWindow {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the limit is fully replenished. */
  resetMs?: number;
}

/** Rate-limit state read from one response's headers. Absent fields were not reported. */
export interface RateLimitSnapshot {
  requests?: RateLimitWindow;
  /** Total tokens (OpenAI), or Anthropic's most restrictive token limit. */
  tokens?: RateLimitWindow;
  /** Anthropic input tokens per minute. */
  inputTokens?: RateLimitWindow;
  /** Anthropic output tokens per minute. */
  outputTokens?: RateLimitWindow;
  /** From `retry-after-ms`, else `retry-after` (seconds or HTTP date). */
  retryAfterMs?: number;
}

function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

const durationUnits: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000_001 };

/**
 * Parses a Go-style duration as OpenAI sends it in `x-ratelimit-reset-*`: `6m0s`, `1.5s`, `12ms`,
 * `1h2m3s`. A bare number is taken as seconds (Azure sends integer seconds). Undefined when the
 * value is not a duration.
 */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  const bare = parseNumber(text);
  if (bare !== undefined) return bare < 0 ? undefined : bare * 1000;
  const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * (durationUnits[unit as string] ?? 0);
    consumed += whole.length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/** Parses an RFC 3339 instant (Anthropic resets) into milliseconds from `now`, never negative. */
function parseResetInstant(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) return undefined;
  return Math.max(0, instant - now);
}

function window(limit: number | undefined, remaining: number | undefined, resetMs: number | undefined): RateLimitWindow | undefined {
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined;
  const result: RateLimitWindow = {};
  if (limit !== undefined) result.limit = limit;
  if (remaining !== undefined) result.remaining = remaining;
  if (resetMs !== undefined) result.resetMs = resetMs;
  return result;
}

/**
 * Reads the rate-limit headers of a response: OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`
 * (resets as Go durations) and Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * (resets as RFC 3339 instants), plus `retry-after-ms` / `retry-after`.
 */
export function parseRateLimitHeaders(headers: HeadersLike | undefined, now = Date.now()): RateLimitSnapshot {
  const snapshot: RateLimitSnapshot = {};
  if (headers === undefined) return snapshot;
  for (const kind of ['requests', 'tokens'] as const) {
    const openai = window(
      parseNumber(readHeader(headers, `x-ratelimit-limit-${kind}`)),
      parseNumber(readHeader(headers, `x-ratelimit-remaining-${kind}`)),
      parseGoDuration(readHeader(headers, `x-ratelimit-reset-${kind}`)),
    );
    if (openai !== undefined) snapshot[kind] = openai;
  }
  const anthropicKinds = [
    ['requests', 'requests'],
    ['tokens', 'tokens'],
    ['input-tokens', 'inputTokens'],
    ['output-tokens', 'outputTokens'],
  ] as const;
  for (const [wireName, field] of anthropicKinds) {
    const anthropic = window(
      parseNumber(readHeader(headers, `anthropic-ratelimit-${wireName}-limit`)),
      parseNumber(readHeader(headers, `anthropic-ratelimit-${wireName}-remaining`)),
      parseResetInstant(readHeader(headers, `anthropic-ratelimit-${wireName}-reset`), now),
    );
    if (anthropic !== undefined && snapshot[field] === undefined) snapshot[field] = anthropic;
  }
  const retryAfterMs = parseRetryAfter(headers, now);
  if (retryAfterMs !== undefined) snapshot.retryAfterMs = retryAfterMs;
  return snapshot;
}

const budgetHeaders = [
  ['requests', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests'],
  ['tokens', 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens'],
] as const;
const anthropicBudgetHeaders = [
  ['requests', 'anthropic-ratelimit-requests-limit', 'anthropic-ratelimit-requests-remaining'],
  ['tokens', 'anthropic-ratelimit-tokens-limit', 'anthropic-ratelimit-tokens-remaining'],
  ['inputTokens', 'anthropic-ratelimit-input-tokens-limit', 'anthropic-ratelimit-input-tokens-remaining'],
] as const;

/**
 * The part of {@link parseRateLimitHeaders} a successful call needs: limits and remaining budgets
 * only (no resets, no retry-after). Read on every success, so it reads as few headers as it can:
 * the Anthropic names only when no OpenAI one is there.
 */
export function parseRateLimitBudget(headers: HeadersLike | undefined): RateLimitSnapshot {
  const snapshot: RateLimitSnapshot = {};
  if (headers === undefined) return snapshot;
  let found = false;
  for (const [field, limitName, remainingName] of budgetHeaders) {
    const budget = window(parseNumber(readHeader(headers, limitName)), parseNumber(readHeader(headers, remainingName)), undefined);
    if (budget !== undefined) {
      snapshot[field] = budget;
      found = true;
    }
  }
  if (found) return snapshot;
  for (const [field, limitName, remainingName] of anthropicBudgetHeaders) {
    const budget = window(parseNumber(readHeader(headers, limitName)), parseNumber(readHeader(headers, remainingName)), undefined);
    if (budget !== undefined) snapshot[field] = budget;
  }
  return snapshot;
}
