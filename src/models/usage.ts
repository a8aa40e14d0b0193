import { z } from 'zod';

/** Token usage of one item or a whole job. Cached, cache-write and reasoning tokens are subsets reported when the provider gives them. */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  /** Input tokens served from the provider's prompt cache (a subset of `inputTokens`). */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  /** Input tokens written to the provider's prompt cache (Anthropic cache creation). */
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  /** Output tokens spent on reasoning (a subset of `outputTokens`). */
  reasoningTokens: z.number().int().nonnegative().optional(),
});

export type Usage = z.infer<typeof usageSchema>;

/** A usage of all zeros. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/** Adds `addition` into `total` (mutating `total`) and returns it. */
export function addUsage(total: Usage, addition: Usage | undefined): Usage {
  if (!addition) return total;
  total.inputTokens += addition.inputTokens;
  total.outputTokens += addition.outputTokens;
  total.totalTokens += addition.totalTokens;
  for (const key of ['cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens'] as const) {
    const value = addition[key];
    if (value !== undefined) total[key] = (total[key] ?? 0) + value;
  }
  return total;
}
