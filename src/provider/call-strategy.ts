import type { BatchRequest, ToolCall } from '../models/batch-request.js';
import type { FinishReason } from '../models/batch-result.js';
import type { Usage } from '../models/usage.js';

/** What one synchronous call gives back. */
export interface CallOutput {
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  toolCalls?: ToolCall[];
  usage: Usage;
  model: string;
  /** The provider's response headers (rate-limit headers are read from them). */
  headers?: Headers | Record<string, string>;
  raw?: unknown;
}

/** Passed to every call of a call strategy. */
export interface CallContext {
  /** 1-based attempt number for this item. */
  readonly attempt: number;
  /** Aborts the call (item timeout, job cancel). */
  readonly signal: AbortSignal;
  /** The per-item timeout in force, in ms. */
  readonly timeoutMs: number;
}

/**
 * How the emulated adapter talks to a synchronous API. Built-ins: `openaiChat()`,
 * `openaiResponses()` (from `llm-batch/openai`) and `anthropicMessages()` (from `llm-batch/anthropic`).
 * A call throws on failure (any error `classifyError` understands); SDK clients run with `maxRetries: 0`.
 */
export interface CallStrategy {
  /** The provider name reported in jobs, e.g. `openai`. */
  readonly name: string;
  prepare?(): void | Promise<void>;
  call(request: BatchRequest, context: CallContext): Promise<CallOutput>;
  cleanup?(): void | Promise<void>;
  /** The provider body for a request (dry runs). */
  preview?(request: BatchRequest): unknown;
  /**
   * The most output tokens this strategy lets the model write for `request`: the `max_tokens` (or
   * `max_completion_tokens`, `max_output_tokens`) of the body it sends, after its own defaults and
   * the request's `providerOptions`; undefined when it sends no cap. The emulated adapter asks it
   * before each call, to book the call's worst case against the budget and the tokens-per-minute
   * limit; without it (or when it returns undefined) those assume the request's `maxTokens`, or
   * 1,024 tokens when it has none. Must not call the network.
   *
   * @example
   * maxOutputTokens: (request) => request.maxTokens ?? 4096,
   */
  maxOutputTokens?(request: BatchRequest): number | undefined;
  /**
   * The model sent for requests that name none (`openaiChat({ model })`). The emulated adapter
   * declares it as its `defaultModel`, so the planner accepts such requests and stores the model.
   */
  readonly model?: string;
  /**
   * Input tokens each request reads from a cache the strategy manages and the request does not
   * carry (`geminiGenerate({ cache })`). The emulated adapter declares it as its
   * `cachedInputTokens`, so estimates price them at the cached rate. Must not call the network.
   */
  cachedInputTokens?(request: BatchRequest): number;
}
