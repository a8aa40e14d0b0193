import type { FinishReason } from '../../models/batch-result.js';

const finishReasons: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  // Responses API `incomplete_details.reason` values.
  max_output_tokens: 'length',
};

/** Maps an OpenAI finish reason; anything unknown becomes `other` (the raw value is kept by the caller). */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  if (reason === null || reason === undefined) return 'other';
  return finishReasons[reason] ?? 'other';
}
