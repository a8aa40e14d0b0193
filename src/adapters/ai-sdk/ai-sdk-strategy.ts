import { generateText, type LanguageModel } from 'ai';
import type { BatchRequest } from '../../models/batch-request.js';
import type { CallOutput, CallStrategy } from '../../provider/call-strategy.js';
import { checkNumberOption, checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { type AiSdkStepLike, fromAiSdkResult } from './from-ai-sdk-result.js';
import { toAiSdkCall } from './to-ai-sdk-call.js';

/** Options of {@link aiSdk}. */
export interface AiSdkOptions {
  /**
   * The AI SDK model every call goes to (`openai('gpt-4o-mini')`, `google('gemini-2.5-flash')`,
   * `mistral(...)`, `bedrock(...)`, a local model ...), or a function from the request's `model`
   * (the client's `model` submit option fills it) to one.
   */
  readonly model: LanguageModel | ((modelId: string) => LanguageModel);
  /**
   * The provider name reported in jobs (a job is resumed only by a client with the same name).
   * @default 'ai-sdk'
   */
  readonly name?: string;
  /** HTTP headers added to every call (passed to `generateText`). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The most output tokens of a request that sets no `maxTokens` (what a budget books for it).
   * Without it such a request is sent with no cap and a budget assumes 1,024.
   */
  readonly maxOutputTokens?: number;
}

const aiSdkOptionNames = optionNames<AiSdkOptions>({ model: true, name: true, headers: true, maxOutputTokens: true });
const where = 'aiSdk()';

function isModel(value: unknown): boolean {
  if (typeof value === 'string') return value !== '';
  return typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { doGenerate?: unknown }).doGenerate === 'function');
}

function modelIdOf(model: LanguageModel): string {
  return typeof model === 'string' ? model : model.modelId;
}

/** A `NoObjectGeneratedError`: the model answered, but not with the structured output asked for. */
function unparsedAnswer(error: unknown): AiSdkStepLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; text?: unknown };
  if (candidate.name !== 'AI_NoObjectGeneratedError' || typeof candidate.text !== 'string') return undefined;
  return candidate as AiSdkStepLike;
}

/**
 * A call strategy for the emulated adapter that runs every call through the AI SDK's
 * `generateText`, so any AI SDK `LanguageModel` (Gemini, Mistral, Bedrock, Ollama, a gateway ...)
 * can run a batch job. Messages, tools (definitions only: the emulated adapter's `tools` run them),
 * tool choice, structured output (`responseFormat`), sampling, stop sequences and the request's
 * `providerOptions` (keyed by AI SDK provider name) are passed on; text, finish reason, tool calls,
 * usage (cache and reasoning tokens too), the model id and the response headers and body come back.
 *
 * The AI SDK's own retries are off (`maxRetries: 0`): the emulated adapter's per-item loop is the
 * only one. Its `APICallError` (status, response headers, `retry-after`) and `RetryError` are read
 * by `classifyError`, so 429s feed the adaptive rate limiter like the built-in strategies' do.
 * An answer that is not the structured output asked for comes back as text, and the structured
 * output check fails it (`validation`, retryable), as with every other strategy.
 *
 * @example
 * import { createBatchClient, emulated } from 'llm-batch';
 * import { aiSdk } from 'llm-batch/ai-sdk';
 * import { google } from '@ai-sdk/google';
 *
 * const client = createBatchClient({ provider: emulated({ call: aiSdk({ model: google('gemini-2.5-flash') }), concurrency: 16 }) });
 */
export function aiSdk(options: AiSdkOptions): CallStrategy {
  checkOptionKeys(where, options, aiSdkOptionNames);
  if (!isModel(options.model)) {
    failOption(where, 'model', 'an AI SDK LanguageModel (e.g. openai("gpt-4o-mini")), a model id, or a function from a model id to one', options.model);
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) failOption(where, 'name', 'a non-empty string', options.name);
  const headers = options.headers;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) failOption(where, 'headers', 'an object of strings', headers);
    for (const [key, value] of Object.entries(headers)) if (typeof value !== 'string') failOption(where, `headers.${key}`, 'a string', value);
  }
  checkNumberOption(where, 'maxOutputTokens', options.maxOutputTokens, { min: 1, max: 10_000_000, integer: true });
  const modelFor = (request: BatchRequest): LanguageModel => {
    const model = options.model;
    if (typeof model !== 'function') return model;
    if (request.model === undefined) throw new TypeError(`aiSdk(): request ${request.id} names no model, and the model option is a function of one`);
    return model(request.model);
  };
  const defaults = { maxOutputTokens: options.maxOutputTokens };

  return {
    name: options.name ?? 'ai-sdk',
    async call(request, context): Promise<CallOutput> {
      const model = modelFor(request);
      const params = toAiSdkCall(request, defaults);
      try {
        const result = await generateText({
          ...params,
          model,
          // Ours is the only retry loop: every failure comes straight back to it.
          maxRetries: 0,
          abortSignal: context.signal,
          ...(headers === undefined ? {} : { headers: { ...headers } }),
        } as Parameters<typeof generateText>[0]);
        return fromAiSdkResult(result as unknown as AiSdkStepLike, request.model ?? modelIdOf(model));
      } catch (error) {
        const answered = unparsedAnswer(error);
        if (answered !== undefined) return fromAiSdkResult(answered, request.model ?? modelIdOf(model));
        throw error;
      }
    },
    preview(request) {
      const params = toAiSdkCall(request, defaults);
      const model = typeof options.model === 'function' ? request.model : modelIdOf(options.model);
      // The settings as JSON: tools by name and schema, the output spec by its kind.
      return {
        model,
        ...params,
        ...(request.tools === undefined ? {} : { tools: request.tools }),
        ...(params.output === undefined ? {} : { output: request.responseFormat }),
      };
    },
    maxOutputTokens(request) {
      return request.maxTokens ?? options.maxOutputTokens;
    },
  };
}
