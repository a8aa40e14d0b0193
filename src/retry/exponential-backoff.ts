import type { RetryContext, RetryStrategy } from './retry-strategy.js';
import { assertDuration, assertRetryCount, describeValue } from './validate-options.js';

/** How much of a backoff delay is randomised, so that many clients do not retry in lockstep. */
export type Jitter = 'full' | 'equal' | 'none' | number;

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /**
   * Retries after the first attempt (so at most `maxRetries + 1` attempts). `Infinity` is allowed.
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * Delay before the first retry, before jitter.
   * @default 500
   */
  readonly initialDelayMs?: number;
  /**
   * Upper bound of the computed delay (a server's `retry-after` may ask for more; see `maxRetryAfterMs`).
   * @default 30_000
   */
  readonly maxDelayMs?: number;
  /**
   * Growth per retry: the n-th retry waits `initialDelayMs * factor ** (n - 1)`.
   * @default 2
   */
  readonly factor?: number;
  /**
   * `'full'`: uniformly 0 … delay (the AWS "full jitter"); `'equal'`: delay/2 … delay; `'none'`:
   * exactly the delay; a number `j` in [0, 1]: delay × (1 − j … 1), e.g. `0.25` like the official SDKs.
   * @default 'full'
   */
  readonly jitter?: Jitter;
  /**
   * The longest server-requested wait (`retry-after`, `retry-after-ms`) that is obeyed; longer
   * requests wait this long. `Infinity` obeys any value.
   * @default 120_000
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Source of randomness in [0, 1), for reproducible delays in tests.
   * @default Math.random
   */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter that honours the server's `retry-after`: it waits at least what
 * the server asked (up to `maxRetryAfterMs`). Retries only errors classified as retryable, never
 * an abort.
 *
 * @example
 * const strategy = exponentialBackoff({ maxRetries: 5, initialDelayMs: 1_000, jitter: 'equal' });
 * await runWithRetry(() => client.batches.retrieve(id), { strategy });
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryStrategy {
  const {
    maxRetries = 3,
    initialDelayMs = 500,
    maxDelayMs = 30_000,
    factor = 2,
    jitter = 'full',
    maxRetryAfterMs = 120_000,
    random = Math.random,
  } = options;
  assertRetryCount('maxRetries', maxRetries);
  assertDuration('initialDelayMs', initialDelayMs);
  assertDuration('maxDelayMs', maxDelayMs);
  if (maxDelayMs < initialDelayMs) {
    throw new TypeError(
      `Expected option "maxDelayMs" (${maxDelayMs}) to be at least "initialDelayMs" (${initialDelayMs})`,
    );
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new TypeError(`Expected option "factor" to be a finite number >= 1, got ${describeValue(factor)}`);
  }
  const jitterFraction = toJitterFraction(jitter);
  assertDuration('maxRetryAfterMs', maxRetryAfterMs, { allowInfinity: true });
  if (typeof random !== 'function') {
    throw new TypeError(`Expected option "random" to be a function, got ${describeValue(random)}`);
  }

  return {
    shouldRetry: (context) => isRetryable(context) && context.attempt <= maxRetries,
    delayMs(context) {
      const exponent = Math.max(0, context.attempt - 1);
      const base = Math.min(maxDelayMs, initialDelayMs * factor ** exponent);
      const jittered = base * (1 - random() * jitterFraction);
      return Math.max(Math.round(jittered), serverDelay(context, maxRetryAfterMs));
    },
  };
}

/** The shared part of every built-in strategy: only retryable errors, never an abort. */
export function isRetryable(context: RetryContext): boolean {
  return context.classification.retryable && context.classification.category !== 'cancelled';
}

/** What the server asked for, capped; 0 when it did not ask. */
export function serverDelay(context: RetryContext, maxRetryAfterMs: number): number {
  const retryAfterMs = context.classification.retryAfterMs;
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) return 0;
  return Math.min(retryAfterMs, maxRetryAfterMs);
}

function toJitterFraction(jitter: unknown): number {
  if (jitter === 'full') return 1;
  if (jitter === 'equal') return 0.5;
  if (jitter === 'none') return 0;
  if (typeof jitter === 'number' && jitter >= 0 && jitter <= 1) return jitter;
  throw new TypeError(
    `Expected option "jitter" to be 'full', 'equal', 'none' or a number from 0 to 1, got ${describeValue(jitter)}`,
  );
}
