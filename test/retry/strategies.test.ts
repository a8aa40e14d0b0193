import { describe, expect, it } from 'vitest';
import type { ErrorClassification } from '../../src/errors/classify-error.js';
import { exponentialBackoff } from '../../src/retry/exponential-backoff.js';
import { fixedDelay } from '../../src/retry/fixed-delay.js';
import { noRetry } from '../../src/retry/no-retry.js';
import type { RetryContext } from '../../src/retry/retry-strategy.js';

function context(attempt: number, classification: Partial<ErrorClassification> = {}): RetryContext {
  return {
    attempt,
    error: new Error('failed'),
    elapsedMs: 0,
    classification: { category: 'server', retryable: true, message: 'failed', ...classification },
  };
}

describe('exponentialBackoff', () => {
  it('doubles the delay from initialDelayMs without jitter', () => {
    const strategy = exponentialBackoff({ jitter: 'none', initialDelayMs: 100 });
    expect([1, 2, 3, 4].map((attempt) => strategy.delayMs(context(attempt)))).toEqual([100, 200, 400, 800]);
  });

  it('caps the delay at maxDelayMs', () => {
    const strategy = exponentialBackoff({ jitter: 'none', initialDelayMs: 1_000, maxDelayMs: 3_000, maxRetries: 10 });
    expect(strategy.delayMs(context(5))).toBe(3_000);
  });

  it('uses the factor', () => {
    const strategy = exponentialBackoff({ jitter: 'none', initialDelayMs: 10, factor: 3 });
    expect(strategy.delayMs(context(3))).toBe(90);
  });

  it('full jitter spreads the delay from 0 to the base', () => {
    const low = exponentialBackoff({ initialDelayMs: 1_000, random: () => 0.999 });
    const high = exponentialBackoff({ initialDelayMs: 1_000, random: () => 0 });
    expect(low.delayMs(context(1))).toBe(1);
    expect(high.delayMs(context(1))).toBe(1_000);
  });

  it('equal jitter keeps at least half the base', () => {
    const strategy = exponentialBackoff({ initialDelayMs: 1_000, jitter: 'equal', random: () => 0.999_999 });
    expect(strategy.delayMs(context(1))).toBe(500);
  });

  it('a numeric jitter removes at most that fraction', () => {
    const strategy = exponentialBackoff({ initialDelayMs: 1_000, jitter: 0.25, random: () => 0.999_999 });
    expect(strategy.delayMs(context(1))).toBe(750);
  });

  it('waits at least the server retry-after', () => {
    const strategy = exponentialBackoff({ jitter: 'none', initialDelayMs: 100 });
    expect(strategy.delayMs(context(1, { retryAfterMs: 5_000 }))).toBe(5_000);
  });

  it('keeps its own delay when longer than retry-after', () => {
    const strategy = exponentialBackoff({ jitter: 'none', initialDelayMs: 100 });
    expect(strategy.delayMs(context(1, { retryAfterMs: 10 }))).toBe(100);
  });

  it('caps retry-after at maxRetryAfterMs', () => {
    const strategy = exponentialBackoff({ jitter: 'none', maxRetryAfterMs: 60_000 });
    expect(strategy.delayMs(context(1, { retryAfterMs: 3_600_000 }))).toBe(60_000);
  });

  it('retries retryable errors until maxRetries is used up', () => {
    const strategy = exponentialBackoff({ maxRetries: 2 });
    expect(strategy.shouldRetry(context(1))).toBe(true);
    expect(strategy.shouldRetry(context(2))).toBe(true);
    expect(strategy.shouldRetry(context(3))).toBe(false);
  });

  it('does not retry a non-retryable error', () => {
    expect(exponentialBackoff().shouldRetry(context(1, { category: 'auth', retryable: false }))).toBe(false);
  });

  it('never retries a cancellation, even one marked retryable', () => {
    expect(exponentialBackoff().shouldRetry(context(1, { category: 'cancelled', retryable: true }))).toBe(false);
  });

  it.each([
    [{ maxRetries: -1 }, /"maxRetries".*-1/],
    [{ maxRetries: 1.5 }, /"maxRetries".*1\.5/],
    [{ initialDelayMs: Number.NaN }, /"initialDelayMs".*NaN/],
    [{ maxDelayMs: -5 }, /"maxDelayMs".*-5/],
    [{ initialDelayMs: 1_000, maxDelayMs: 10 }, /"maxDelayMs" \(10\).*"initialDelayMs" \(1000\)/],
    [{ factor: 0.5 }, /"factor".*0\.5/],
    [{ jitter: 'some' }, /"jitter".*"some"/],
    [{ jitter: 2 }, /"jitter".*2/],
    [{ maxRetryAfterMs: -1 }, /"maxRetryAfterMs".*-1/],
  ])('rejects invalid options %o with a TypeError naming them', (options, message) => {
    expect(() => exponentialBackoff(options as never)).toThrow(TypeError);
    expect(() => exponentialBackoff(options as never)).toThrow(message);
  });

  it('accepts Infinity for maxRetries and maxRetryAfterMs', () => {
    const strategy = exponentialBackoff({ maxRetries: Number.POSITIVE_INFINITY, maxRetryAfterMs: Number.POSITIVE_INFINITY, jitter: 'none' });
    expect(strategy.shouldRetry(context(1_000))).toBe(true);
    expect(strategy.delayMs(context(1, { retryAfterMs: 7_200_000 }))).toBe(7_200_000);
  });
});

describe('fixedDelay', () => {
  it('waits the same delay every time', () => {
    const strategy = fixedDelay({ delayMs: 250, maxRetries: 5 });
    expect([1, 2, 5].map((attempt) => strategy.delayMs(context(attempt)))).toEqual([250, 250, 250]);
  });

  it('waits longer when the server asks for it', () => {
    expect(fixedDelay({ delayMs: 250 }).delayMs(context(1, { retryAfterMs: 2_000 }))).toBe(2_000);
  });

  it('stops after maxRetries', () => {
    const strategy = fixedDelay({ maxRetries: 1, delayMs: 0 });
    expect(strategy.shouldRetry(context(1))).toBe(true);
    expect(strategy.shouldRetry(context(2))).toBe(false);
  });

  it('does not retry non-retryable errors or cancellations', () => {
    const strategy = fixedDelay();
    expect(strategy.shouldRetry(context(1, { retryable: false }))).toBe(false);
    expect(strategy.shouldRetry(context(1, { category: 'cancelled' }))).toBe(false);
  });

  it('rejects an invalid delayMs with a TypeError naming it', () => {
    expect(() => fixedDelay({ delayMs: -1 })).toThrow(/"delayMs".*-1/);
  });
});

describe('noRetry', () => {
  it('never retries', () => {
    expect(noRetry().shouldRetry(context(1))).toBe(false);
  });
});
