import type { FinishReason } from '../../models/batch-result.js';
import type { Usage } from '../../models/usage.js';
import type { CallOutput } from '../../provider/call-strategy.js';

/** The parts of a `generateText` result (or of a `NoObjectGeneratedError`) that a result needs. */
export interface AiSdkStepLike {
  readonly text?: string;
  readonly finishReason?: string;
  readonly rawFinishReason?: string | undefined;
  readonly toolCalls?: readonly { readonly toolCallId: string; readonly toolName: string; readonly input: unknown }[];
  readonly usage?: {
    readonly inputTokens?: number | undefined;
    readonly outputTokens?: number | undefined;
    readonly totalTokens?: number | undefined;
    readonly inputTokenDetails?: { readonly cacheReadTokens?: number | undefined; readonly cacheWriteTokens?: number | undefined };
    readonly outputTokenDetails?: { readonly reasoningTokens?: number | undefined };
    readonly cachedInputTokens?: number | undefined;
    readonly reasoningTokens?: number | undefined;
  };
  readonly response?: { readonly modelId?: string; readonly headers?: Record<string, string> | undefined; readonly body?: unknown };
}

const finishReasons: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
};

function count(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

/** The AI SDK's usage as ours (cache reads and writes, reasoning tokens kept when reported). */
export function toUsage(usage: AiSdkStepLike['usage']): Usage {
  const inputTokens = count(usage?.inputTokens) ?? 0;
  const outputTokens = count(usage?.outputTokens) ?? 0;
  const result: Usage = { inputTokens, outputTokens, totalTokens: count(usage?.totalTokens) ?? inputTokens + outputTokens };
  const cached = count(usage?.inputTokenDetails?.cacheReadTokens) ?? count(usage?.cachedInputTokens);
  if (cached !== undefined) result.cachedInputTokens = cached;
  const cacheWrite = count(usage?.inputTokenDetails?.cacheWriteTokens);
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  const reasoning = count(usage?.outputTokenDetails?.reasoningTokens) ?? count(usage?.reasoningTokens);
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}

/** A `generateText` result as a call output: text, finish reason, tool calls, usage, model, headers, body. */
export function fromAiSdkResult(result: AiSdkStepLike, fallbackModel: string): CallOutput {
  const rawFinishReason = result.rawFinishReason ?? result.finishReason;
  const output: CallOutput = {
    text: result.text ?? '',
    finishReason: finishReasons[result.finishReason ?? ''] ?? 'other',
    usage: toUsage(result.usage),
    model: result.response?.modelId ?? fallbackModel,
  };
  if (rawFinishReason !== undefined) output.rawFinishReason = rawFinishReason;
  const toolCalls = result.toolCalls ?? [];
  if (toolCalls.length > 0) {
    output.toolCalls = toolCalls.map((call) => ({
      id: call.toolCallId,
      name: call.toolName,
      arguments: typeof call.input === 'string' ? call.input : (JSON.stringify(call.input) ?? '{}'),
    }));
  }
  if (result.response?.headers !== undefined) output.headers = result.response.headers;
  output.raw = result.response?.body ?? { text: output.text, finishReason: result.finishReason, usage: result.usage, modelId: result.response?.modelId };
  return output;
}
