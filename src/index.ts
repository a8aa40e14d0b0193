/**
 * `llm-batch`: run many LLM requests as one job, through a provider's native batch API or an
 * emulated batch over its synchronous API. This entry never imports a provider SDK.
 */

// The client
export {
  createBatchClient,
  type BatchClient,
  type BatchClientOptions,
  type ListFilter,
  type ResultsOptions,
  type RetryOptions,
  type SubmitOptions,
  type WaitOptions,
} from './client/create-batch-client.js';
export type { ProviderShorthand } from './client/resolve-provider.js';

// Models
export {
  batchRequestSchema,
  contentPartSchema,
  isOpenAIBatchLine,
  messageRoles,
  messageSchema,
  openaiBatchLineSchema,
  requestIdPattern,
  responseFormatSchema,
  toolCallSchema,
  toolChoiceSchema,
  toolDefinitionSchema,
  type BatchRequest,
  type BatchRequestInput,
  type ContentPart,
  type Message,
  type OpenAIBatchLine,
  type ResponseFormat,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from './models/batch-request.js';
export { fromOpenAIBatchLine, toOpenAIBatchLine } from './wire/openai/openai-batch-line.js';
export {
  batchJobSchema,
  batchPartSchema,
  isTerminalStatus,
  jobCountsSchema,
  jobStatuses,
  jobStatusSchema,
  type BatchJob,
  type BatchPart,
  type JobCounts,
  type JobMode,
  type JobStatus,
  type ProviderReference,
} from './models/batch-job.js';
export {
  batchResultSchema,
  finishReasonSchema,
  itemStatuses,
  itemStatusSchema,
  type BatchResult,
  type CancelledResult,
  type ExpiredResult,
  type FailedResult,
  type FinishReason,
  type ItemStatus,
  type SucceededResult,
} from './models/batch-result.js';
export { errorCategories, errorCategorySchema, itemErrorSchema, type ErrorCategory, type ItemError } from './models/item-error.js';
export { usageSchema, type Usage } from './models/usage.js';
export type { BatchAggregate } from './models/batch-aggregate.js';
export { costEstimateSchema, type CostEstimate, type ModelCostEstimate } from './models/cost-estimate.js';

// Cost, budgets, structured output, templates
export { defaultPricing, modelPriceSchema, pricingTableSchema, type ModelPrice, type PricingTable } from './cost/pricing-table.js';
export { findModelPrice, type ResolvedModelPrice } from './cost/find-model-price.js';
export { loadPricing, resolvePricing, type PricingOverride, type PricingSource } from './cost/load-pricing.js';
export {
  approximateRequestTokens,
  approximateTextTokens,
  countTokens,
  type CountTokensOptions,
  type TokenCount,
} from './cost/count-tokens.js';
export { defaultEstimateMaxTokens, estimateCost, type EstimateCostOptions } from './cost/estimate-cost.js';
export {
  computeCost,
  computeResultsCost,
  type ComputeCostOptions,
  type ComputeResultsCostOptions,
  type ResultsCost,
} from './cost/compute-cost.js';
export { createBudgetTracker, type BudgetTracker, type BudgetTrackerOptions } from './cost/budget-tracker.js';
export type { CostOptions } from './cost/cost-extension.js';
export type { DryRunResult, EstimateOptions } from './client/plan-dry-run.js';
export type { DryRunOptions } from './client/create-batch-client.js';
export {
  isZodSchema,
  toJsonSchema,
  toResponseFormat,
  type InferStructuredOutput,
  type JsonSchemaResponseFormat,
  type ResponseFormatOptions,
  type StructuredOutputSchema,
} from './structured-output/structured-output-schema.js';
export { validateJsonSchema, type JsonSchema } from './structured-output/validate-json-schema.js';
export { createOutputValidator, parseStructuredOutput, type OutputValidator } from './structured-output/parse-structured-output.js';
export {
  buildRequestsFromTemplate,
  type BuildRequestsFromTemplateOptions,
  type PromptTemplate,
  type TemplateVariants,
} from './templates/build-requests-from-template.js';
export { fillTemplate, renderTemplate, templatePlaceholders } from './templates/render-template.js';
export { parseCsv, parseCsvRecords } from './templates/parse-csv.js';
export { parseDataRows, readDataRows, rowLineOf, type DataFormat } from './templates/read-data-rows.js';
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
export { AbortError, isAbortError } from './errors/abort-error.js';
export { classifyError, redactSecrets, toItemError, type ErrorClassification } from './errors/classify-error.js';
export { parseRetryAfter, type HeadersLike } from './errors/parse-retry-after.js';

// Retries
export type { RetryContext, RetryStrategy } from './retry/retry-strategy.js';
export { exponentialBackoff, type ExponentialBackoffOptions, type Jitter } from './retry/exponential-backoff.js';
export { fixedDelay, type FixedDelayOptions } from './retry/fixed-delay.js';
export { noRetry } from './retry/no-retry.js';
export { runWithRetry, type RetryEvent, type RunWithRetryOptions } from './retry/run-with-retry.js';
export { delay, type DelayOptions } from './retry/delay.js';

// HTTP
export { createKeepAliveFetch, type FetchFunction } from './http/keep-alive-fetch.js';

// Stores
export type { BatchStore, RequestWriter, StoredRequest } from './store/batch-store.js';
export { fileStore, type FileStoreOptions } from './store/file-store.js';
export { memoryStore } from './store/memory-store.js';

// JSONL
export {
  decodeJsonl,
  readJsonlFile,
  type DecodeJsonlOptions,
  type JsonlLine,
  type JsonlSource,
  type MalformedJsonlLine,
} from './jsonl/decode-jsonl.js';
export { encodeJsonl, encodeJsonlChunks, type EncodeJsonlChunksOptions } from './jsonl/encode-jsonl.js';

// The emulated adapter
export {
  emulated,
  metricsObserver,
  type EmulatedBudget,
  type EmulatedEvent,
  type EmulatedEventType,
  type EmulatedMiddleware,
  type EmulatedObserver,
  type EmulatedOptions,
  type EmulatedProgress,
  type EmulatedProvider,
  type EmulatedRateLimitOptions,
  type EmulatedTool,
  type EmulatedTools,
  type ErrorStrategy,
  type MetricsObserver,
  type MetricsSnapshot,
} from './adapters/emulated/index.js';
