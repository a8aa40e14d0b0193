/**
 * `llm-batch`: run many LLM requests as one job, through a provider's native batch API or an
 * emulated batch over its synchronous API. This entry never imports a provider SDK.
 *
 * What is listed here is the public surface, a promise kept across versions; everything else in
 * `src/` is internal. `test/public-surface.test.ts` holds the list of names.
 */

// The client
export {
  createBatchClient,
  type AggregateOptions,
  type BatchClient,
  type BatchClientOptions,
  type DryRunOptions,
  type ListFilter,
  type ResultsOptions,
  type RetryOptions,
  type RunOptions,
  type SubmitOptions,
  type TypedSchema,
  type WaitOptions,
} from './client/create-batch-client.js';
export { createProvider, type ProviderShorthand, type ShorthandOptions } from './client/resolve-provider.js';
export {
  registerProvider,
  unregisterProvider,
  type ProviderFactory,
  type ProviderFactoryOptions,
  type RegisterProviderOptions,
} from './client/provider-registry.js';
export {
  loadConfig,
  type ConfigDefaults,
  type LlmBatchConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  type ModelConfig,
  type ProviderConfig,
} from './client/config-file.js';
export type { LlmBatchPlugin, LlmBatchPluginApi } from './client/load-plugins.js';
export type { AttachOptions } from './client/attach-batch.js';
export type { LeaseOptions } from './client/job-leases.js';
export { batchComplete, type BatchCompleteFailure, type BatchCompleteOptions, type BatchCompletion } from './client/batch-complete.js';
export type { RequestDefaults } from './client/apply-defaults.js';
export type { CompleteOptions } from './client/complete-one.js';

// Models
export type {
  BatchRequest,
  BatchRequestInput,
  ContentPart,
  Message,
  OpenAIBatchLine,
  PlainPrompt,
  PromptObject,
  ResponseFormat,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from './models/batch-request.js';
export {
  isTerminalStatus,
  type BatchJob,
  type BatchPart,
  type JobBilling,
  type JobCounts,
  type JobManifest,
  type JobMode,
  type JobPriority,
  type JobStatus,
  type PartManifest,
  type ProviderReference,
} from './models/batch-job.js';
export type {
  BatchResult,
  CancelledResult,
  ExpiredResult,
  FailedResult,
  FinishReason,
  ItemStatus,
  SucceededResult,
} from './models/batch-result.js';
export type { ErrorCategory, ItemError } from './models/item-error.js';
export type {
  ConcurrencyRunEvent,
  CooldownCause,
  CooldownEndedRunEvent,
  CooldownStartedRunEvent,
  RateLimitedRunEvent,
  RetryRunEvent,
  RunEvent,
} from './models/run-event.js';
export type { Usage } from './models/usage.js';
export type { BatchAggregate } from './models/batch-aggregate.js';
export type { CostEstimate, ModelCostEstimate } from './models/cost-estimate.js';
export type { JobLease, LeaseHolder } from './models/job-lease.js';

// Cost and budgets, structured output, templates
export { defaultPricing, type ModelPrice, type PricingTable } from './cost/pricing-table.js';
export type { PricingOverride, PricingSource } from './cost/load-pricing.js';
export { countTokens, type CountTokensOptions, type TokenCount } from './cost/count-tokens.js';
export { formatCost, type DisplayCurrency } from './cost/currency.js';
export { estimateCost, type EstimateCostOptions } from './cost/estimate-cost.js';
export { createBudgetTracker, type BudgetTracker, type BudgetTrackerOptions } from './cost/budget-tracker.js';
export type { CostOptions } from './cost/cost-extension.js';
export type { DryRunResult, EstimateOptions } from './client/plan-dry-run.js';
export {
  toResponseFormat,
  type InferStructuredOutput,
  type JsonSchemaResponseFormat,
  type ResponseFormatOptions,
  type StructuredOutputSchema,
} from './structured-output/structured-output-schema.js';
export type { JsonSchema } from './structured-output/validate-json-schema.js';
export {
  buildRequestsFromTemplate,
  type BuildRequestsFromTemplateOptions,
  type PromptTemplate,
  type TemplateVariants,
} from './templates/build-requests-from-template.js';
export { readDataRows, type DataFormat } from './templates/read-data-rows.js';
export { readTemplateFile } from './templates/read-template-file.js';

// The adapter contract
export type {
  BatchProvider,
  PollResult,
  ProviderCallContext,
  ProviderLimits,
  SubmitContext,
  SubmitPart,
} from './provider/batch-provider.js';
export type { CallContext, CallOutput, CallStrategy } from './provider/call-strategy.js';

// Errors
export { LlmBatchError } from './errors/llm-batch-error.js';
export { ValidationError, type ValidationIssue } from './errors/validation-error.js';
export { ApiCallError } from './errors/api-call-error.js';
export { BudgetExceededError } from './errors/budget-exceeded-error.js';
export { JobNotFoundError } from './errors/job-not-found-error.js';
export { JobLeasedError } from './errors/job-leased-error.js';
export { JobFailedError } from './errors/job-failed-error.js';
export { StoreDamageError } from './errors/store-damage-error.js';
export { AbortError, isAbortError } from './errors/abort-error.js';
export { classifyError, redactSecrets, toItemError, type ErrorClassification } from './errors/classify-error.js';
export type { ErrorClassifier } from './errors/custom-classifier.js';

// Retries
export type { RetryContext, RetryStrategy } from './retry/retry-strategy.js';
export { exponentialBackoff, type ExponentialBackoffOptions, type Jitter } from './retry/exponential-backoff.js';
export { fixedDelay, type FixedDelayOptions } from './retry/fixed-delay.js';
export { noRetry } from './retry/no-retry.js';
export { runWithRetry, type RetryEvent, type RunWithRetryOptions } from './retry/run-with-retry.js';

// HTTP
export { createKeepAliveFetch, type FetchFunction } from './http/keep-alive-fetch.js';

// Stores
export type { BatchStore, LeaseAttempt, ListJobsOptions, RequestWriter, StoredRequest } from './store/batch-store.js';
export { fileStore, type FileStoreOptions } from './store/file-store.js';
export { memoryStore } from './store/memory-store.js';

// The emulated adapter
export {
  emulated,
  metricsObserver,
  type EmulatedBudget,
  type EmulatedEvent,
  type EmulatedEventType,
  type EmulatedMiddleware,
  type MiddlewareErrorContext,
  type EmulatedObserver,
  type EmulatedOptions,
  type EmulatedProgress,
  type EmulatedProvider,
  type EmulatedAdaptiveSignals,
  type EmulatedRateLimitOptions,
  type EmulatedRateLimitTuning,
  type EmulatedRetryBudgetOptions,
  type EmulatedTool,
  type EmulatedTools,
  type ErrorStrategy,
  type HistogramSnapshot,
  type MetricsObserver,
  type MetricsObserverOptions,
  type MetricsSnapshot,
  type SkipRequest,
} from './adapters/emulated/index.js';

// Observers and logging in every mode
export type { JobEvent, JobObserver, Logger, LogLevel } from './client/client-observers.js';
export type {
  ItemResultEvent,
  NativeJobEvent,
  PartEndedEvent,
  PartPolledEvent,
  PartSubmittedEvent,
  ResultsReadEvent,
} from './provider/job-events.js';
