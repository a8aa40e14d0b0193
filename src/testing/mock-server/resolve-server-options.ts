/**
 * The emulator's options with their defaults filled in, checked before anything starts.
 */
import type { MockProvider, MockProviderServerOptions, MockRateLimitOptions } from './options.js';
import type { ResolvedBatchOptions } from './route-context.js';

const megabyte = 1024 * 1024;

/** The options `createMockProviderServer` resolves itself (the other parts check their own). */
export interface ResolvedServerOptions {
  readonly seed: number;
  readonly embeddingDimensions: number;
  readonly maxUploadBytes: number;
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly batch: ResolvedBatchOptions;
}

/** Fills in the defaults; throws a `TypeError` naming the first option out of range. */
export function resolveServerOptions(options: MockProviderServerOptions): ResolvedServerOptions {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new TypeError(`Option seed must be an integer, got ${String(seed)}`);
  const embeddingDimensions = options.embeddingDimensions ?? 64;
  if (!Number.isInteger(embeddingDimensions) || embeddingDimensions < 1) throw new TypeError(`Option embeddingDimensions must be a positive integer, got ${String(embeddingDimensions)}`);
  const maxUploadBytes = options.maxUploadBytes ?? 512 * megabyte;
  if (options.headerNames !== undefined && options.headerNames !== 'lowercase' && options.headerNames !== 'canonical') {
    throw new TypeError(`Option headerNames must be 'lowercase' or 'canonical', got ${String(options.headerNames)}`);
  }
  const apiKeys = options.apiKeys === undefined ? undefined : new Set(options.apiKeys);
  const batch = resolveBatchOptions(options.batch);
  for (const key of ['itemErrorRate', 'expireRate', 'failValidationRate', 'dropLineRate', 'unknownCustomIdRate', 'safetyBlockRate'] as const) {
    const value = options.batchFaults?.[key];
    if (value !== undefined && (!(value >= 0) || value > 1)) throw new TypeError(`Option batchFaults.${key} must be a probability between 0 and 1, got ${String(value)}`);
  }
  return { seed, embeddingDimensions, maxUploadBytes, apiKeys, batch };
}

/** The rate limits of one provider: the option itself, or its `openai` / `anthropic` / `gemini` part. */
export function rateLimitFor(option: MockProviderServerOptions['rateLimit'], provider: MockProvider): MockRateLimitOptions {
  if (option === undefined) return {};
  if ('openai' in option || 'anthropic' in option || 'gemini' in option) {
    return (option as { openai?: MockRateLimitOptions; anthropic?: MockRateLimitOptions; gemini?: MockRateLimitOptions })[provider] ?? {};
  }
  return option as MockRateLimitOptions;
}

function resolveBatchOptions(options: MockProviderServerOptions['batch']): ResolvedBatchOptions {
  const resolved: ResolvedBatchOptions = {
    clock: options?.clock ?? 'real',
    validatingMs: options?.validatingMs ?? 100,
    processingMs: options?.processingMs ?? 500,
    finalizingMs: options?.finalizingMs ?? 100,
    cancellingMs: options?.cancellingMs ?? 100,
    expireAfterMs: options?.expireAfterMs ?? 24 * 3600 * 1000,
    maxOpenAIRequests: options?.maxOpenAIRequests ?? 50_000,
    maxAnthropicRequests: options?.maxAnthropicRequests ?? 100_000,
    maxInputFileBytes: options?.maxInputFileBytes ?? 200 * megabyte,
    maxAnthropicBodyBytes: options?.maxAnthropicBodyBytes ?? 256 * megabyte,
    emptyStringErrorFileId: options?.emptyStringErrorFileId ?? false,
    geminiExpireAfterMs: options?.geminiExpireAfterMs ?? 48 * 3600 * 1000,
  };
  for (const key of ['validatingMs', 'finalizingMs', 'cancellingMs', 'expireAfterMs', 'maxOpenAIRequests', 'maxAnthropicRequests', 'maxInputFileBytes', 'maxAnthropicBodyBytes', 'geminiExpireAfterMs'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`Option batch.${key} must be a non-negative number, got ${String(value)}`);
  }
  const processing = resolved.processingMs;
  const processingValue = typeof processing === 'number' ? processing : processing.perRequest;
  if (!Number.isFinite(processingValue) || processingValue < 0) {
    throw new TypeError(`Option batch.processingMs must be a non-negative number or { perRequest }, got ${JSON.stringify(processing)}`);
  }
  if (resolved.clock !== 'real' && resolved.clock !== 'manual') throw new TypeError(`Option batch.clock must be 'real' or 'manual', got ${String(resolved.clock)}`);
  return resolved;
}
