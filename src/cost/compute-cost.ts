import type { BatchResult } from '../models/batch-result.js';
import type { Usage } from '../models/usage.js';
import { findModelPrice } from './find-model-price.js';
import type { PricingTable } from './pricing-table.js';
import { defaultPricing } from './pricing-table.js';

/** Options of {@link computeCost}. */
export interface ComputeCostOptions {
  /** The model that produced the usage (dated snapshots resolve to their base id). */
  readonly model: string;
  /** `native` applies the model's batch discount; `emulated` is the synchronous price. */
  readonly mode: 'native' | 'emulated';
  /** @default the shipped pricing table */
  readonly pricing?: PricingTable;
}

/**
 * The cost in USD of reported usage, or undefined when the model has no price (unknown, not zero).
 * Cached input is billed at the cached price and cache writes at the write price (both are subsets
 * of `inputTokens`); reasoning tokens are output tokens (already inside `outputTokens`); native
 * batches get the model's batch discount.
 *
 * @example
 * computeCost({ inputTokens: 1_000_000, outputTokens: 0, totalTokens: 1_000_000 }, { model: 'gpt-5.4', mode: 'native' }) // 1.25
 */
export function computeCost(usage: Usage, options: ComputeCostOptions): number | undefined {
  const price = findModelPrice(options.pricing ?? defaultPricing, options.model);
  if (!price) return undefined;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cached);
  const uncached = usage.inputTokens - cached - written;
  // Reasoning tokens are part of outputTokens; the max only guards a provider that reports them apart.
  const output = Math.max(usage.outputTokens, usage.reasoningTokens ?? 0);
  const full = (uncached * price.input + cached * price.cachedInput + written * price.cacheWrite + output * price.output) / 1_000_000;
  return options.mode === 'native' ? full * (1 - price.batchDiscount) : full;
}

/** Options of {@link computeResultsCost}. */
export interface ComputeResultsCostOptions {
  readonly mode: 'native' | 'emulated';
  /** @default the shipped pricing table */
  readonly pricing?: PricingTable;
  /** The model of results that name none (failed items carry usage but no model). */
  readonly defaultModel?: string;
  /**
   * The mode of one model's results, when it is not `mode` (a mixed job's part on a provider that
   * runs in another mode: its model's results are priced in that mode).
   */
  readonly modeOf?: (model: string) => 'native' | 'emulated' | undefined;
}

/** The cost of a job's results. */
export interface ResultsCost {
  /** Undefined when any result with usage has a model without a price. */
  readonly costUsd: number | undefined;
  /** The cost of the results whose model has a price. */
  readonly knownCostUsd: number;
  readonly unknownModels: string[];
}

/**
 * Sums the cost of every result that reports usage (succeeded ones, and failed ones that were
 * billed), each at its own model's price.
 */
export function computeResultsCost(results: Iterable<BatchResult>, options: ComputeResultsCostOptions): ResultsCost {
  let known = 0;
  const unknown = new Set<string>();
  for (const result of results) {
    if (result.status !== 'succeeded' && result.status !== 'failed') continue;
    const usage = result.usage;
    if (!usage || (usage.inputTokens === 0 && usage.outputTokens === 0)) continue;
    // A result failed by structured-output validation keeps its model in `raw`.
    const model = (result.status === 'succeeded' ? result.model : modelOf(result.raw)) || options.defaultModel;
    if (!model) {
      unknown.add('(no model)');
      continue;
    }
    const cost = computeCost(usage, { model, mode: options.modeOf?.(model) ?? options.mode, ...(options.pricing ? { pricing: options.pricing } : {}) });
    if (cost === undefined) unknown.add(model);
    else known += cost;
  }
  return { costUsd: unknown.size > 0 ? undefined : known, knownCostUsd: known, unknownModels: [...unknown].sort() };
}

function modelOf(raw: unknown): string | undefined {
  const model = typeof raw === 'object' && raw !== null ? (raw as { model?: unknown }).model : undefined;
  return typeof model === 'string' && model !== '' ? model : undefined;
}
