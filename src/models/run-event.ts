import type { ErrorCategory } from './item-error.js';

// What an emulated run journals besides its results, for the viewer's rate-limit story: each 429
// (and 529), the shared cooldowns, the concurrency window as it moves, and each retry. Kept apart
// from the results journal (`BatchStore.appendRunEvents`), so that nothing that reads results
// (results(), resume, aggregate) ever sees one. `at` is epoch milliseconds.

/** A call answered 429 (`rate_limit`) or 529 (`overloaded`), with the retry-after it asked for. */
export interface RateLimitedRunEvent {
  readonly type: 'rate_limited';
  readonly at: number;
  readonly category: 'rate_limit' | 'overloaded';
  readonly retryAfterMs?: number;
}

/**
 * Why every worker was held: `headers` (the rate-limit headers said a budget is spent), `dense`
 * (429s on at least half of a round trip's calls), `burst` (a 429 on a call sent before the previous
 * cooldown ended).
 */
export type CooldownCause = 'headers' | 'dense' | 'burst';

export interface CooldownStartedRunEvent {
  readonly type: 'cooldown_started';
  readonly at: number;
  /** How long it was set to last when it started (later 429s may extend it). */
  readonly durationMs: number;
  readonly cause?: CooldownCause;
}

export interface CooldownEndedRunEvent {
  readonly type: 'cooldown_ended';
  readonly at: number;
  /** How long every worker was held, extensions included. */
  readonly durationMs: number;
}

/** The concurrency window changed (at most one entry per 250 ms: the last size of each interval). */
export interface ConcurrencyRunEvent {
  readonly type: 'concurrency';
  readonly at: number;
  readonly size: number;
}

/** A failed call will be tried again. `attempt` is the call that failed (1-based). */
export interface RetryRunEvent {
  readonly type: 'retry';
  readonly at: number;
  readonly attempt: number;
  readonly category: ErrorCategory;
}

/** One entry of a run's event journal, discriminated on `type`. */
export type RunEvent = RateLimitedRunEvent | CooldownStartedRunEvent | CooldownEndedRunEvent | ConcurrencyRunEvent | RetryRunEvent;

export const runEventTypes: readonly RunEvent['type'][] = ['rate_limited', 'cooldown_started', 'cooldown_ended', 'concurrency', 'retry'];

/** A parsed journal line that looks like a run event (a known `type` and a numeric `at`). */
export function isRunEventShaped(value: unknown): value is RunEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { type, at } = value as { type?: unknown; at?: unknown };
  return typeof at === 'number' && typeof type === 'string' && (runEventTypes as readonly string[]).includes(type);
}
