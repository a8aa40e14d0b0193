import type { Usage } from '../../models/usage.js';

/** The usage fields this library reads from an Anthropic message (all optional: the wire is lenient). */
export interface AnthropicUsageLike {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly output_tokens_details?: { readonly thinking_tokens?: number | null } | null;
}

/**
 * Converts Anthropic usage. Anthropic's `input_tokens` counts only the tokens after the last cache
 * breakpoint, so the total input is `input_tokens + cache_creation + cache_read`; cache reads and
 * writes are reported as the subsets `cachedInputTokens` and `cacheWriteTokens`.
 */
export function mapAnthropicUsage(usage: AnthropicUsageLike | null | undefined): Usage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const inputTokens = (usage?.input_tokens ?? 0) + cacheRead + cacheWrite;
  const outputTokens = usage?.output_tokens ?? 0;
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (usage?.cache_read_input_tokens != null) result.cachedInputTokens = cacheRead;
  if (usage?.cache_creation_input_tokens != null) result.cacheWriteTokens = cacheWrite;
  const thinking = usage?.output_tokens_details?.thinking_tokens;
  if (thinking != null) result.reasoningTokens = thinking;
  return result;
}
