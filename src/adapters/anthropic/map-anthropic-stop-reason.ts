import type { FinishReason } from '../../models/batch-result.js';

/**
 * Normalises Anthropic's `stop_reason`. `pause_turn`, `model_context_window_exceeded` and anything
 * newer map to `other`; the caller keeps the provider's value as `rawFinishReason`.
 */
export function mapAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}
