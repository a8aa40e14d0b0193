import type { RetryStrategy } from './retry-strategy.js';

/**
 * Never retries: the first failure is final.
 *
 * @example
 * await runWithRetry(operation, { strategy: noRetry() });
 */
export function noRetry(): RetryStrategy {
  return { shouldRetry: () => false, delayMs: () => 0 };
}
