import type { BatchRequest } from '../models/batch-request.js';
import type { CostEstimate, ModelCostEstimate } from '../models/cost-estimate.js';
import { approximateRequestTokens, countTokens, maximumExactCharacters } from './count-tokens.js';
import { findModelPrice } from './find-model-price.js';
import { defaultPricing, type PricingTable } from './pricing-table.js';

/**
 * Output tokens assumed for a request that sets no `maxTokens`, the library's one such assumption.
 * Estimates use it for every such request. The emulated budget and rate limiter first ask the call
 * strategy what it really sends (Anthropic: its `defaultMaxTokens`, 4,096) and use this only when
 * nothing caps the answer (OpenAI without `maxTokens`).
 */
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
  /**
   * Input tokens a request reads from a provider-side cache that it does not carry itself (the
   * adapter's `cachedInputTokens`: a Gemini context cache). Added to its input tokens and priced
   * at the model's cached-input rate; the saving is reported as `cacheSavingsUsd`.
   */
  readonly countCachedTokens?: (request: BatchRequest) => number;
  /**
   * Called once per model that has no price, and once if some requests were too large to count
   * exactly (more than 2,000,000 characters of text) and were approximated.
   */
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
}

interface ModelTally {
  requests: number;
  inputTokens: number;
  cachedInputTokens: number;
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
  const tally = createEstimateTally(options);
  for await (const request of requests) {
    options.signal?.throwIfAborted();
    await tally.add(request);
  }
  return tally.finish(options);
}

/** Counts requests one at a time for an estimate, then prices them at the end. */
export interface EstimateTally {
  /** Counts one request's input tokens and output tokens at most. */
  add(request: BatchRequest): void | Promise<void>;
  /**
   * The estimate of every request added, priced with `pricing` (default: the shipped table);
   * `modeOf` names the models priced in another mode than the tally's (a mixed job's part that
   * runs in another mode).
   */
  finish(options?: Pick<EstimateCostOptions, 'pricing' | 'onWarning'> & { readonly modeOf?: (model: string) => 'native' | 'emulated' | undefined }): CostEstimate;
}

/**
 * The counting half of {@link estimateCost}, for callers that see the requests one by one (the
 * planner, as it stores them) and price them once at the end. Checks the options at once.
 */
export function createEstimateTally(options: Omit<EstimateCostOptions, 'pricing' | 'onWarning' | 'signal'> = {}): EstimateTally {
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
  const tallies = new Map<string, ModelTally>();
  let allExact = true;
  let counted = 0;
  // Requests the exact count skipped for their size: said once, in the estimate's warnings.
  let tooLarge = 0;
  let firstTooLarge: string | undefined;

  const inputTokensOf = async (request: BatchRequest, model: string): Promise<number> => {
    if (options.countRequestTokens !== undefined) return checkedTokenCount(await options.countRequestTokens(request), request);
    const result = await countTokens(request, { model });
    allExact &&= result.exact;
    if (result.reason === 'too-large') {
      tooLarge++;
      firstTooLarge ??= request.id;
    }
    return result.tokens;
  };

  const tallyOf = (model: string): ModelTally => {
    let tally = tallies.get(model);
    if (tally === undefined) {
      tally = { requests: 0, inputTokens: 0, cachedInputTokens: 0, outputTokensMax: 0 };
      tallies.set(model, tally);
    }
    return tally;
  };

  return {
    add(request) {
      const model = request.model ?? options.defaultModel ?? '(no model)';
      const tally = tallyOf(model);
      tally.requests++;
      counted++;
      tally.outputTokensMax += request.maxTokens ?? defaultMaxTokens;
      const cached = options.countCachedTokens === undefined ? 0 : checkedTokenCount(options.countCachedTokens(request), request);
      tally.cachedInputTokens += cached;
      tally.inputTokens += cached;
      if (options.exactTokens === false) {
        // Synchronous: no promise per request when nothing needs to wait.
        tally.inputTokens += approximateRequestTokens(request);
        allExact = false;
        return;
      }
      return inputTokensOf(request, model).then((tokens) => {
        tally.inputTokens += tokens;
      });
    },
    finish(priceWith = {}) {
      const pricing = priceWith.pricing ?? defaultPricing;
      if (tooLarge > 0) priceWith.onWarning?.(tooLargeWarning(tooLarge, firstTooLarge!));
      return priceTallies(tallies, {
        mode,
        ratio,
        pricing,
        inputTokensExact: allExact && counted > 0,
        ...(priceWith.onWarning ? { onWarning: priceWith.onWarning } : {}),
        ...(priceWith.modeOf ? { modeOf: priceWith.modeOf } : {}),
      });
    },
  };
}

function priceTallies(
  tallies: ReadonlyMap<string, ModelTally>,
  options: {
    mode: 'native' | 'emulated';
    ratio: number;
    pricing: PricingTable;
    inputTokensExact: boolean;
    onWarning?: (message: string) => void;
    modeOf?: (model: string) => 'native' | 'emulated' | undefined;
  },
): CostEstimate {
  const { ratio, pricing } = options;
  const perModel: ModelCostEstimate[] = [];
  const unknownModels: string[] = [];
  let costUsd = 0;
  let syncCostUsd = 0;
  let cachedInputTokens = 0;
  let cacheSavingsUsd = 0;
  for (const [model, tally] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const outputTokensExpected = Math.round(tally.outputTokensMax * ratio);
    const entry: ModelCostEstimate = {
      model,
      requests: tally.requests,
      inputTokens: tally.inputTokens,
      outputTokensMax: tally.outputTokensMax,
      outputTokensExpected,
    };
    if (tally.cachedInputTokens > 0) entry.cachedInputTokens = tally.cachedInputTokens;
    cachedInputTokens += tally.cachedInputTokens;
    const price = findModelPrice(pricing, model);
    const mode = options.modeOf?.(model) ?? options.mode;
    if (price) {
      const uncached = tally.inputTokens - tally.cachedInputTokens;
      const sync = (uncached * price.input + tally.cachedInputTokens * price.cachedInput + outputTokensExpected * price.output) / 1_000_000;
      const batch = sync * (1 - price.batchDiscount);
      const cacheSaving = (tally.cachedInputTokens * (price.input - price.cachedInput)) / 1_000_000;
      cacheSavingsUsd += mode === 'native' ? cacheSaving * (1 - price.batchDiscount) : cacheSaving;
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
    inputTokensExact: options.inputTokensExact,
    ...(unknownModels.length > 0 ? { unknownModels } : {}),
    ...(cachedInputTokens > 0 ? { cachedInputTokens, cacheSavingsUsd } : {}),
  };
}

function tooLargeWarning(count: number, firstId: string): string {
  const which = count === 1 ? `request "${firstId}"` : `${count} requests (the first "${firstId}")`;
  return (
    `The input tokens of ${which} were approximated (about four characters per token), not counted with the tokenizer: ` +
    `more than ${maximumExactCharacters.toLocaleString('en-US')} characters of text in one request`
  );
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
