export { emulated, type EmulatedProvider } from './emulated-adapter.js';
export type {
  EmulatedBudget,
  EmulatedOptions,
  EmulatedProgress,
  EmulatedRateLimitOptions,
  ErrorStrategy,
} from './emulated-options.js';
export type { EmulatedAdaptiveSignals, EmulatedRateLimitTuning, EmulatedRetryBudgetOptions } from './rate-limit-tuning.js';
export type { EmulatedMiddleware, MiddlewareErrorContext, SkipRequest } from './middleware.js';
export type {
  ConcurrencyChangedEvent,
  CooldownEndedEvent,
  CooldownStartedEvent,
  EmulatedEvent,
  EmulatedEventType,
  EmulatedObserver,
  ItemCompletedEvent,
  ItemFailedEvent,
  ItemStartedEvent,
  JobCompletedEvent,
  JobStartedEvent,
  RateLimitHitEvent,
  RetryScheduledEvent,
  WorkerStartedEvent,
  WorkerStoppedEvent,
} from './observers.js';
export {
  defaultLatencyBucketsSeconds,
  metricsObserver,
  type HistogramSnapshot,
  type MetricsObserver,
  type MetricsObserverOptions,
  type MetricsSnapshot,
} from './metrics-observer.js';
export type { EmulatedTool, EmulatedTools } from './tool-loop.js';
export { AdaptiveRateLimiter, type AdaptiveRateLimiterOptions } from './adaptive-rate-limiter.js';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
export {
  parseGoDuration,
  parseRateLimitHeaders,
  type RateLimitSnapshot,
  type RateLimitWindow,
} from './parse-rate-limit-headers.js';
export { estimateRequestTokens } from './estimate-request-tokens.js';
