import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseRateLimitBudget, parseRateLimitHeaders } from '../../../src/adapters/emulated/parse-rate-limit-headers.js';

describe('parseGoDuration', () => {
  it.each([
    ['12ms', 12],
    ['1s', 1000],
    ['1.5s', 1500],
    ['6m0s', 360_000],
    ['1h2m3.5s', 3_723_500],
    ['250us', 0.25],
    ['2', 2000],
  ])('reads %s as %d ms', (text, expected) => {
    expect(parseGoDuration(text)).toBeCloseTo(expected, 6);
  });

  it.each(['', 'soon', '5x', '1s later', '-3'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('parseRateLimitHeaders', () => {
  it('reads the OpenAI x-ratelimit headers with Go-style resets', () => {
    const snapshot = parseRateLimitHeaders(
      new Headers({
        'x-ratelimit-limit-requests': '600',
        'x-ratelimit-remaining-requests': '599',
        'x-ratelimit-reset-requests': '100ms',
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-tokens': '149000',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    );
    expect(snapshot).toEqual({
      requests: { limit: 600, remaining: 599, resetMs: 100 },
      tokens: { limit: 150_000, remaining: 149_000, resetMs: 360_000 },
    });
  });

  it('reads the Anthropic headers with RFC 3339 resets relative to now', () => {
    const now = Date.parse('2026-09-20T12:00:00Z');
    const snapshot = parseRateLimitHeaders(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2026-09-20T12:00:01.200Z',
        'anthropic-ratelimit-input-tokens-limit': '30000',
        'anthropic-ratelimit-input-tokens-remaining': '29000',
        'anthropic-ratelimit-input-tokens-reset': '2026-09-20T12:00:02Z',
        'Retry-After': '3',
      },
      now,
    );
    expect(snapshot.requests).toEqual({ limit: 50, remaining: 49, resetMs: 1200 });
    expect(snapshot.inputTokens).toEqual({ limit: 30_000, remaining: 29_000, resetMs: 2000 });
    expect(snapshot.retryAfterMs).toBe(3000);
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '2', 'retry-after-ms': '150' }).retryAfterMs).toBe(150);
  });

  it('returns an empty snapshot when nothing is reported', () => {
    expect(parseRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toEqual({});
    expect(parseRateLimitHeaders(undefined)).toEqual({});
  });
});

describe('parseRateLimitBudget', () => {
  it('reads limits and remaining budgets only, OpenAI names first, Anthropic ones when OpenAI sends none', () => {
    const openai = new Headers({ 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6s', 'retry-after': '2' });
    expect(parseRateLimitBudget(openai)).toEqual({ requests: { limit: 600, remaining: 0 } });
    const anthropic = new Headers({ 'anthropic-ratelimit-input-tokens-limit': '40000', 'anthropic-ratelimit-input-tokens-remaining': '39000' });
    expect(parseRateLimitBudget(anthropic)).toEqual({ inputTokens: { limit: 40000, remaining: 39000 } });
    expect(parseRateLimitBudget(new Headers())).toEqual({});
  });
});
