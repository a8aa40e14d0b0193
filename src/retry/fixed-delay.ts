import { isRetryable, serverDelay } from './exponential-backoff.js';
import type { RetryStrategy } from './retry-strategy.js';
import { assertDuration, assertRetryCount } from './validate-options.js';

/** Options of {@link fixedDelay}. */
export interface FixedDelayOptions {
  /**
   * Retries after the first attempt (so at most `maxRetries + 1` attempts). `Infinity` is allowed.
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * Wait between attempts (longer when the server's `retry-after` asks for more).
   * @default 1_000
   */
  readonly delayMs?: number;
  /**
   * The longest server-requested wait that is obeyed.
   * @default 120_000
   */
  readonly maxRetryAfterMs?: number;
}

/**
 * The same wait before every retry (or the server's `retry-after`, when longer).
 *
 * @example
 * const strategy = fixedDelay({ maxRetries: 2, delayMs: 250 });
 */
export function fixedDelay(options: FixedDelayOptions = {}): RetryStrategy {
  const { maxRetries = 3, delayMs = 1_000, maxRetryAfterMs = 120_000 } = options;
  assertRetryCount('maxRetries', maxRetries);
  assertDuration('delayMs', delayMs);
  assertDuration('maxRetryAfterMs', maxRetryAfterMs, { allowInfinity: true });
  return {
    shouldRetry: (context) => isRetryable(context) && context.attempt <= maxRetries,
    delayMs: (context) => Math.max(delayMs, serverDelay(context, maxRetryAfterMs)),
  };
}
