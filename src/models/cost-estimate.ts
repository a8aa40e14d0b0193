import { z } from 'zod';

export const modelCostEstimateSchema = z.object({
  model: z.string(),
  requests: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokensMax: z.number().int().nonnegative(),
  outputTokensExpected: z.number().int().nonnegative(),
  /** The part of `inputTokens` read from a provider-side cache (priced at the cached rate). */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  /** Undefined when the model has no price in the pricing table. */
  costUsd: z.number().nonnegative().optional(),
  syncCostUsd: z.number().nonnegative().optional(),
});
export type ModelCostEstimate = z.infer<typeof modelCostEstimateSchema>;

/** What a job is expected to cost, before anything is sent. */
export const costEstimateSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokensMax: z.number().int().nonnegative(),
  outputTokensExpected: z.number().int().nonnegative(),
  /** Expected cost in the job's mode (batch price for native, sync price for emulated). */
  costUsd: z.number().nonnegative(),
  /** Expected cost of the same requests through the synchronous API. */
  syncCostUsd: z.number().nonnegative(),
  savingsUsd: z.number(),
  savingsRatio: z.number(),
  /** The part of `inputTokens` read from a provider-side cache, when the adapter reports one (Gemini context caching). */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  /** What the cache saves: the cost of the cached tokens at the input price minus at the cached price (in the job's mode). */
  cacheSavingsUsd: z.number().optional(),
  currency: z.literal('USD'),
  pricingAsOf: z.string(),
  perModel: z.array(modelCostEstimateSchema),
  /**
   * True when a tokenizer counted every request's input (OpenAI models with `gpt-tokenizer`
   * installed); false when some or all were approximated (four characters per token).
   */
  inputTokensExact: z.boolean().optional(),
  /** Models with no known price: their cost is unknown, not zero. */
  unknownModels: z.array(z.string()).optional(),
  /**
   * The estimate in the client's display currency (`createBatchClient({ currency })`), on what
   * `estimate()` and dry runs return; the stored estimate stays in USD.
   */
  converted: z
    .object({ currency: z.string(), perUsd: z.number().positive(), cost: z.number(), syncCost: z.number(), savings: z.number() })
    .optional(),
});
export type CostEstimate = z.infer<typeof costEstimateSchema>;
