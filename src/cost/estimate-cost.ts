import type { BatchRequest } from '../models/batch-request.js';
import type { CostEstimate, ModelCostEstimate } from '../models/cost-estimate.js';
import { approximateRequestTokens, countTokens } from './count-tokens.js';
import { findModelPrice } from './find-model-price.js';
import { defaultPricing, type PricingTable } from './pricing-table.js';

/** Output tokens assumed for a request that sets no `maxTokens`. */
export const defaultEstimateMaxTokens = 1_024;

/** Options of {@link estimateCost}. */
export interface EstimateCostOptions {
  /**
   * `native`: `costUsd` is the batch price; `emulated`: the synchronous price.
   * @default 'native'
   */
  readonly mode?: 'native' | 'emulated';
  /** @default the shipped pricing table */
  readonly pricing?: PricingTable;
  /**
   * The share of `maxTokens` a request is expected to use.
   * @default 0.5
   */
  readonly expectedOutputRatio?: number;
  /** The model of requests that name none. */
  readonly defaultModel?: string;
  /**
   * Output tokens assumed for a request without `maxTokens`.
   * @default 1024
   */
  readonly defaultMaxTokens?: number;
  /**
   * Count OpenAI models exactly with `gpt-tokenizer` when it is installed.
   * @default true
   */
  readonly exactTokens?: boolean;
  /**
   * The adapter's own input-token counter (`BatchProvider.countTokens`), used instead of the built-in
   * counting when input tokens are counted exactly. It must not call the network: an estimate never does.
   */
  readonly countRequestTokens?: (request: BatchRequest) => number | Promise<number>;
  /** Called once per model that has no price. */
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
}

interface ModelTally {
  requests: number;
  inputTokens: number;
  outputTokensMax: number;
}

/**
 * Estimates what requests will cost, without any network call: input tokens (see `countTokens`),
 * output tokens at most (the sum of `maxTokens`, or `defaultMaxTokens` per request) and expected
 * (`expectedOutputRatio` of the maximum), priced at the batch and the synchronous price. A model
 * with no price is listed in `unknownModels` and left out of the sums, with a warning: its cost
 * is unknown, never zero.
 *
 * @example
 * const estimate = await estimateCost(requests, { defaultModel: 'gpt-5.4-mini' });
 * console.log(`$${estimate.costUsd.toFixed(2)}, saving $${estimate.savingsUsd.toFixed(2)}`);
 */
export async function estimateCost(
  requests: Iterable<BatchRequest> | AsyncIterable<BatchRequest>,
  options: EstimateCostOptions = {},
): Promise<CostEstimate> {
  const mode = options.mode ?? 'native';
  if (mode !== 'native' && mode !== 'emulated') {
    throw new TypeError(`estimateCost: option "mode" must be "native" or "emulated", got ${JSON.stringify(options.mode)}`);
  }
  const ratio = options.expectedOutputRatio ?? 0.5;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    throw new TypeError(`estimateCost: option "expectedOutputRatio" must be a number from 0 to 1, got ${JSON.stringify(options.expectedOutputRatio)}`);
  }
  const defaultMaxTokens = options.defaultMaxTokens ?? defaultEstimateMaxTokens;
  if (!Number.isInteger(defaultMaxTokens) || defaultMaxTokens < 0) {
    throw new TypeError(`estimateCost: option "defaultMaxTokens" must be a non-negative integer, got ${JSON.stringify(options.defaultMaxTokens)}`);
  }
  const pricing = options.pricing ?? defaultPricing;
  const tallies = new Map<string, ModelTally>();
  let allExact = true;
  let counted = 0;
  for await (const request of requests) {
    options.signal?.throwIfAborted();
    const model = request.model ?? options.defaultModel ?? '(no model)';
    const tally = tallies.get(model) ?? { requests: 0, inputTokens: 0, outputTokensMax: 0 };
    tallies.set(model, tally);
    tally.requests++;
    counted++;
    if (options.exactTokens === false) {
      tally.inputTokens += approximateRequestTokens(request);
      allExact = false;
    } else if (options.countRequestTokens !== undefined) {
      tally.inputTokens += checkedTokenCount(await options.countRequestTokens(request), request);
    } else {
      const counted = await countTokens(request, { model });
      tally.inputTokens += counted.tokens;
      allExact &&= counted.exact;
    }
    tally.outputTokensMax += request.maxTokens ?? defaultMaxTokens;
  }

  const perModel: ModelCostEstimate[] = [];
  const unknownModels: string[] = [];
  let costUsd = 0;
  let syncCostUsd = 0;
  for (const [model, tally] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const outputTokensExpected = Math.round(tally.outputTokensMax * ratio);
    const entry: ModelCostEstimate = {
      model,
      requests: tally.requests,
      inputTokens: tally.inputTokens,
      outputTokensMax: tally.outputTokensMax,
      outputTokensExpected,
    };
    const price = findModelPrice(pricing, model);
    if (price) {
      const sync = (tally.inputTokens * price.input + outputTokensExpected * price.output) / 1_000_000;
      const batch = sync * (1 - price.batchDiscount);
      entry.syncCostUsd = sync;
      entry.costUsd = mode === 'native' ? batch : sync;
      costUsd += entry.costUsd;
      syncCostUsd += sync;
    } else {
      unknownModels.push(model);
      options.onWarning?.(`No price for model "${model}" (pricing as of ${pricing.asOf}): its cost is unknown and not included in the estimate`);
    }
    perModel.push(entry);
  }
  const savingsUsd = syncCostUsd - costUsd;
  return {
    inputTokens: sum(perModel, 'inputTokens'),
    outputTokensMax: sum(perModel, 'outputTokensMax'),
    outputTokensExpected: sum(perModel, 'outputTokensExpected'),
    costUsd,
    syncCostUsd,
    savingsUsd,
    savingsRatio: syncCostUsd > 0 ? savingsUsd / syncCostUsd : 0,
    currency: 'USD',
    pricingAsOf: pricing.asOf,
    perModel,
    inputTokensExact: allExact && counted > 0,
    ...(unknownModels.length > 0 ? { unknownModels } : {}),
  };
}

function checkedTokenCount(tokens: unknown, request: BatchRequest): number {
  if (typeof tokens !== 'number' || !Number.isInteger(tokens) || tokens < 0) {
    const shown = typeof tokens === 'number' ? String(tokens) : JSON.stringify(tokens);
    throw new TypeError(`countTokens of the adapter returned ${shown} for request "${request.id}"; expected a non-negative integer`);
  }
  return tokens;
}

function sum(entries: readonly ModelCostEstimate[], key: 'inputTokens' | 'outputTokensMax' | 'outputTokensExpected'): number {
  return entries.reduce((total, entry) => total + entry[key], 0);
}
