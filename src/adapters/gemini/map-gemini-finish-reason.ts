import type { FinishReason } from '../../models/batch-result.js';

// Every reason Gemini gives for stopping because of its content rules.
const safetyReasons = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT']);

/** True when Gemini stopped (or refused the prompt) because of its safety or content rules. */
export function isGeminiSafetyReason(reason: string | null | undefined): boolean {
  return reason != null && safetyReasons.has(reason);
}

/**
 * Normalises a candidate's `finishReason`: `STOP` -> `stop` (`tool_calls` when the model called a
 * function), `MAX_TOKENS` -> `length`, the safety family (`SAFETY`, `RECITATION`, `BLOCKLIST`,
 * `PROHIBITED_CONTENT`, `SPII` ...) -> `content_filter`; anything else (`MALFORMED_FUNCTION_CALL`,
 * `LANGUAGE`, `OTHER`, newer values) -> `other`. The caller keeps the provider's value as `rawFinishReason`.
 */
export function mapGeminiFinishReason(reason: string | null | undefined, calledTools: boolean): FinishReason {
  if (isGeminiSafetyReason(reason)) return 'content_filter';
  switch (reason) {
    case 'STOP':
    case undefined:
    case null:
      return calledTools ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    default:
      return 'other';
  }
}
