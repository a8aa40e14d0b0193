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
}
