import { z } from 'zod';
import pricingData from './pricing.json' with { type: 'json' };

/** Prices of one model in USD per 1M tokens. */
export const modelPriceSchema = z.strictObject({
  /** Who sells the model (informative). */
  provider: z.string().optional(),
  /** Ordinary (uncached) input tokens. */
  input: z.number().nonnegative(),
  /** Input tokens read from the prompt cache. @default input */
  cachedInput: z.number().nonnegative().optional(),
  /** Input tokens written to the prompt cache (Anthropic's 5-minute write). @default input */
  cacheWrite: z.number().nonnegative().optional(),
  /** Output tokens, reasoning tokens included. */
  output: z.number().nonnegative(),
  /** The share of the price taken off in a native batch: 0.5 means half price. @default 0.5 */
  batchDiscount: z.number().min(0).max(1).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** A dated, sourced pricing table. Prices change: keep `asOf` and `source` honest when you override. */
export const pricingTableSchema = z.strictObject({
  /** The date the prices were read, `YYYY-MM-DD`. */
  asOf: z.string().min(1),
  /** Where the prices come from. */
  source: z.string().min(1),
  currency: z.literal('USD').optional(),
  unit: z.string().optional(),
  /** Prices by model id. Dated snapshots (`claude-sonnet-4-5-20250929`, `gpt-5.4-mini-2026-03-17`) match their base id. */
  models: z.record(z.string(), modelPriceSchema),
  /** Other names people use for a model, e.g. `claude-sonnet-4.5` -> `claude-sonnet-4-5`. */
  aliases: z.record(z.string(), z.string()).optional(),
});
export type PricingTable = z.infer<typeof pricingTableSchema>;

/**
 * The pricing table shipped with the package (`src/cost/pricing.json`): OpenAI and Anthropic list
 * prices and Gemini list prices with the date they were read and their source.
 */
export const defaultPricing: PricingTable = Object.freeze(pricingTableSchema.parse(pricingData));
