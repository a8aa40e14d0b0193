import type { Usage } from '../../models/usage.js';
import type { GeminiUsageMetadata } from './gemini-request.js';

/**
 * Converts Gemini's `usageMetadata`. `promptTokenCount` already includes the cached tokens
 * (`cachedContentTokenCount`, reported as the subset `cachedInputTokens`) and tool-use prompt
 * tokens are input too; thinking tokens (`thoughtsTokenCount`) are billed as output but reported
 * apart from `candidatesTokenCount`, so `outputTokens` is their sum and `reasoningTokens` the subset.
 */
export function mapGeminiUsage(usage: GeminiUsageMetadata | null | undefined): Usage {
  const inputTokens = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + thoughts;
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (usage?.cachedContentTokenCount != null) result.cachedInputTokens = Math.min(usage.cachedContentTokenCount, inputTokens);
  if (usage?.thoughtsTokenCount != null) result.reasoningTokens = thoughts;
  return result;
}
