import type { GoogleGenAI } from '@google/genai';
import { createKeepAliveFetch, type FetchFunction } from '../../http/keep-alive-fetch.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { CallContext, CallOutput, CallStrategy } from '../../provider/call-strategy.js';
import { checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { convertGeminiResponse } from './convert-gemini-response.js';
import { convertToGeminiRequest, resolveGeminiMaxOutputTokens } from './convert-to-gemini-request.js';
import { createGeminiClient, geminiClientOptionNames, type GeminiClientOptions } from './create-gemini-client.js';
import { checkCacheOption, estimateCacheTokens, GeminiContextCache, pendingCacheName, type GeminiCacheOptions } from './gemini-context-cache.js';
import type { GeminiGenerateContentRequest, GeminiGenerateContentResponse } from './gemini-request.js';
import { toGeminiSdkRequest } from './to-gemini-sdk-request.js';

/** Options of {@link geminiGenerate}. */
export interface GeminiGenerateOptions extends GeminiClientOptions {
  /**
   * A context cache every request references: a cache name you already have
   * (`cachedContents/...`, only referenced), or what to put in one (created on the first call for
   * each model, extended while the run lasts, deleted by the run's clean-up unless `keep`).
   */
  readonly cache?: GeminiCacheOptions | string;
  /**
   * The HTTP transport handed to the SDK as its `fetch`. Ignored when `client` is given.
   * @default a keep-alive node:http(s) transport
   */
  readonly fetch?: FetchFunction;
}

/** The call strategy returned by {@link geminiGenerate}. */
export interface GeminiGenerateStrategy extends CallStrategy {
  readonly name: 'gemini';
  /** The SDK client in use. */
  readonly client: GoogleGenAI;
}

/** A response Gemini blocked: thrown so that the emulated adapter records a final `content_filter` failure. */
class GeminiBlockedError extends Error {
  readonly code = 'content_filter';
  constructor(message: string) {
    super(message);
    this.name = 'GeminiBlockedError';
  }
}

const caller = 'geminiGenerate()';
const geminiGenerateOptionNames = [...geminiClientOptionNames, ...optionNames<Omit<GeminiGenerateOptions, keyof GeminiClientOptions>>({ cache: true, fetch: true })];

/**
 * Runs each request through Gemini's synchronous `models.generateContent`, for the emulated batch
 * adapter: full price, minutes instead of hours, and results as they come.
 *
 * ```ts
 * import { createBatchClient, emulated } from 'llm-batch';
 * import { geminiGenerate } from 'llm-batch/gemini';
 *
 * const client = createBatchClient({ provider: emulated({ call: geminiGenerate(), concurrency: 8 }) });
 * ```
 *
 * Errors are thrown as the SDK throws them; the emulated adapter classifies them (a 429
 * `RESOURCE_EXHAUSTED` waits out its `RetryInfo` delay) and retries. The SDK itself never retries.
 */
export function geminiGenerate(options: GeminiGenerateOptions = {}): GeminiGenerateStrategy {
  checkOptionKeys(caller, options, geminiGenerateOptionNames);
  checkCacheOption(caller, options.cache);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') failOption(caller, 'fetch', 'a function', options.fetch);
  const client = createGeminiClient(options, caller, options.fetch ?? createKeepAliveFetch());
  const cache = options.cache === undefined ? undefined : new GeminiContextCache(client, options.cache);
  const cacheTokens = options.cache === undefined ? 0 : estimateCacheTokens(options.cache);
  // One scope per strategy: a run's requests share the cache of their model.
  const scope = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  const toBody = (request: BatchRequest, cachedContent?: string): GeminiGenerateContentRequest =>
    convertToGeminiRequest(request, cachedContent === undefined ? {} : { cachedContent });

  return {
    name: 'gemini',
    client,

    async call(request: BatchRequest, context: CallContext): Promise<CallOutput> {
      const model = modelOf(request);
      let cachedContent: string | undefined;
      if (cache !== undefined) {
        cachedContent = await cache.acquire(model, scope, context.signal);
        await cache.keepAlive(cachedContent, context.signal);
      }
      const { contents, config } = toGeminiSdkRequest(toBody(request, cachedContent));
      const response = await client.models.generateContent({
        model,
        contents,
        config: { ...config, abortSignal: context.signal, httpOptions: { timeout: context.timeoutMs } },
      });
      const converted = convertGeminiResponse(response as GeminiGenerateContentResponse, model);
      if (converted.kind === 'blocked') throw new GeminiBlockedError(converted.error.message);
      const { kind: _kind, ...answer } = converted;
      const headers = response.sdkHttpResponse?.headers;
      return { ...answer, ...(headers === undefined ? {} : { headers }), raw: response };
    },

    async cleanup(): Promise<void> {
      if (cache === undefined) return;
      for (const name of [...cache.created]) await cache.delete(name);
    },

    preview(request: BatchRequest): unknown {
      return toBody(request, cache === undefined ? undefined : pendingCacheName);
    },

    maxOutputTokens(request: BatchRequest): number | undefined {
      return resolveGeminiMaxOutputTokens(request);
    },

    ...(options.cache === undefined ? {} : { cachedInputTokens: () => cacheTokens }),
  };
}

function modelOf(request: BatchRequest): string {
  if (request.model === undefined) throw new TypeError(`Request \`${request.id}\` has no model: set \`model\` on the request or in the submit options`);
  return request.model;
}
