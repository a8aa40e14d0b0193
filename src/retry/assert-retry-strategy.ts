import type { RetryStrategy } from './retry-strategy.js';
import { describeValue } from './validate-options.js';

/**
 * Checks that a value given as a retry strategy has `shouldRetry` and `delayMs` functions, so a
 * wrong option fails at once instead of at the first error. `name` is the option's name in the message.
 */
export function assertRetryStrategy(value: unknown, name = 'strategy'): asserts value is RetryStrategy {
  const candidate = value as Partial<RetryStrategy> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.shouldRetry !== 'function' ||
    typeof candidate.delayMs !== 'function'
  ) {
    throw new TypeError(
      `Expected option "${name}" to be a retry strategy ({ shouldRetry(context), delayMs(context) }), got ${describeValue(value)}`,
    );
  }
}
