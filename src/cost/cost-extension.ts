import type { ClientExtension, PlanningObserver } from '../extension/client-extension.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { billingOf, partMode, pricingMode, type JobManifest } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { createBudgetTracker, type BudgetTracker } from './budget-tracker.js';
import { computeResultsCost } from './compute-cost.js';
import { createEstimateTally, type EstimateTally } from './estimate-cost.js';
import { loadPricing, type PricingSource } from './load-pricing.js';
import { defaultPricing, pricingTableSchema, type PricingTable } from './pricing-table.js';

/** The submit options this extension reads. */
export interface CostOptions {
  /**
   * The budget in USD. Native jobs whose estimate passes it are refused before any network call
   * (`BudgetExceededError`); emulated jobs reserve each call's worst case before sending it (its
   * input plus the max tokens really sent, every call of a tool loop included) and stop cleanly
   * once the budget is reached (items not started `cancelled`, a tool loop cut short `failed`,
   * both with category `budget`).
   */
  readonly maxCostUsd?: number;
  /** Prices to use instead of (or on top of) the shipped table: an object or a JSON file path. */
  readonly pricing?: PricingSource;
  /** The share of `maxTokens` a request is expected to use in estimates. @default 0.5 */
  readonly expectedOutputRatio?: number;
  /**
   * Count the input tokens of OpenAI models exactly (with `gpt-tokenizer`) for the estimate stored
   * with the job. Loading the tokenizer takes about 0.2 s once per process; an emulated job bills
   * the usage each call reports, so by default its estimate approximates (four characters per
   * token) and its first calls go out without that wait. `client.estimate()` and dry runs count
   * exactly unless this is `false`. A request of more than 2,000,000 characters of text is
   * approximated either way, with a warning in `job.warnings`.
   * @default true for jobs billed at the batch price (native) and estimates, false for jobs billed at the sync price (emulated, `distributed()`)
   */
  readonly exactTokens?: boolean;
}

interface JobCostState {
  pricing: PricingTable;
  budget?: BudgetTracker;
}

const states = new WeakMap<JobManifest, JobCostState>();

/** Checks the cost options at once; a TypeError names the option and the value. */
export function validateCostOptions(options: CostOptions, method = 'submit'): void {
  const { maxCostUsd, expectedOutputRatio, pricing, exactTokens } = options as CostOptions;
  if (exactTokens !== undefined && typeof exactTokens !== 'boolean') {
    throw new TypeError(`${method}: option "exactTokens" must be true or false, got ${JSON.stringify(exactTokens)}`);
  }
  if (maxCostUsd !== undefined && (typeof maxCostUsd !== 'number' || !Number.isFinite(maxCostUsd) || maxCostUsd < 0)) {
    throw new TypeError(`${method}: option "maxCostUsd" must be a non-negative number of USD, got ${JSON.stringify(maxCostUsd)}`);
  }
  if (expectedOutputRatio !== undefined && (typeof expectedOutputRatio !== 'number' || !(expectedOutputRatio >= 0 && expectedOutputRatio <= 1))) {
    throw new TypeError(`${method}: option "expectedOutputRatio" must be a number from 0 to 1, got ${JSON.stringify(expectedOutputRatio)}`);
  }
  if (pricing !== undefined && typeof pricing !== 'string' && (typeof pricing !== 'object' || pricing === null)) {
    throw new TypeError(`${method}: option "pricing" must be a pricing object or a JSON file path, got ${JSON.stringify(pricing)}`);
  }
}

/**
 * The budget of an emulated job submitted by this process, for the adapter's `context.budget`.
 * Undefined without `maxCostUsd`.
 */
export function budgetOf(job: JobManifest): BudgetTracker | undefined {
  return states.get(job)?.budget;
}

/** The planner feeds this tally as it stores each request: no second read for the estimate. */
class EstimateObserver implements PlanningObserver {
  constructor(readonly tally: EstimateTally) {}

  observe(request: BatchRequest): void | Promise<void> {
    return this.tally.add(request);
  }
}

function estimateTallyFor(options: Readonly<Record<string, unknown>>, provider: BatchProvider): EstimateTally {
  const { expectedOutputRatio, exactTokens, model } = options as CostOptions & { model?: string };
  return createEstimateTally({
    // Priced as the adapter bills (distributed(): a native lifecycle at sync prices).
    mode: pricingMode(provider),
    // Calls billed at the sync price bill the usage they report: the estimate approximates by default.
    exactTokens: exactTokens ?? billingOf(provider) === 'batch',
    ...(provider.countTokens ? { countRequestTokens: (request: BatchRequest) => provider.countTokens!(request) } : {}),
    ...(provider.cachedInputTokens ? { countCachedTokens: (request: BatchRequest) => provider.cachedInputTokens!(request) } : {}),
    ...(expectedOutputRatio === undefined ? {} : { expectedOutputRatio }),
    ...(model === undefined ? {} : { defaultModel: model }),
  });
}

/** Estimates, budgets and actual cost. */
export const costExtension: ClientExtension = {
  observePlanning({ options, provider }) {
    validateCostOptions(options);
    return new EstimateObserver(estimateTallyFor(options, provider));
  },

  // The options were checked by observePlanning, before anything was planned.
  async beforeSubmit({ job, options, provider, observer }) {
    const { maxCostUsd } = options as CostOptions;
    const pricing = await loadPricing((options as CostOptions).pricing);
    const warn = (message: string): void => {
      if (!job.warnings.includes(message)) job.warnings.push(message);
    };
    // The client hands back the observer `observePlanning` returned: it counted every planned request.
    if (!(observer instanceof EstimateObserver)) throw new Error('costExtension.beforeSubmit needs the observer of observePlanning');
    // A mixed job's parts in another mode than the job's are priced in theirs.
    const estimate = observer.tally.finish({ pricing, onWarning: warn, ...modesOfModels(job) });
    job.estimate = estimate;
    const state: JobCostState = { pricing };
    states.set(job, state);
    // A custom table travels with the job, so a later process prices its results the same way.
    if ((options as CostOptions).pricing !== undefined) job.options = { ...job.options, pricing };
    if (maxCostUsd === undefined) return;
    job.options = { ...job.options, maxCostUsd };
    if (estimate.unknownModels && estimate.unknownModels.length > 0) {
      throw new LlmBatchError(
        `Cannot enforce maxCostUsd: no price for ${estimate.unknownModels.map((model) => `"${model}"`).join(', ')} (pricing as of ${pricing.asOf}); pass "pricing" with their prices. Nothing was sent`,
        { code: 'budget_unknown_price' },
      );
    }
    if (provider.mode === 'native') {
      if (estimate.costUsd > maxCostUsd) throw new BudgetExceededError(maxCostUsd, estimate.costUsd);
      return;
    }
    state.budget = createBudgetTracker({
      maxCostUsd,
      mode: pricingMode(provider),
      pricing,
      ...(job.options?.model === undefined ? {} : { defaultModel: job.options.model }),
    });
  },

  afterStreamedIntake({ job, observer }) {
    const state = states.get(job);
    if (state === undefined || !(observer instanceof EstimateObserver)) return;
    const warn = (message: string): void => {
      if (!job.warnings.includes(message)) job.warnings.push(message);
    };
    job.estimate = observer.tally.finish({ pricing: state.pricing, onWarning: warn, ...modesOfModels(job) });
  },

  prepareResult(result, job) {
    // Items the run never started because the budget ran out end `cancelled`: say why.
    if (result.status !== 'cancelled' || result.error?.category !== 'cancelled') return result;
    const budget = budgetOf(job);
    if (!budget?.exhausted) return result;
    return {
      ...result,
      error: {
        category: 'budget',
        message: `Not started: the budget maxCostUsd=$${budget.maxCostUsd} was reached`,
        retryable: true,
      },
    };
  },

  costOf({ job, results }) {
    const stored = job.options?.pricing === undefined ? undefined : pricingTableSchema.safeParse(job.options.pricing);
    const pricing = states.get(job)?.pricing ?? (stored?.success ? stored.data : defaultPricing);
    return computeResultsCost(results, {
      mode: pricingMode(job),
      pricing,
      ...(job.options?.model === undefined ? {} : { defaultModel: job.options.model }),
      ...modesOfModels(job),
    }).costUsd;
  },
};

/** What {@link modesOfModels} reads of a part. */
interface PartPricing {
  readonly model?: string | undefined;
  readonly mode?: 'native' | 'emulated' | undefined;
  readonly provider?: string | undefined;
}

/**
 * The parts of a mixed job that run in another mode than the job's hold one model each (the
 * planner keeps them apart): their model's results are priced in their mode. A provider's answer
 * may name a dated snapshot of the model asked for (`claude-haiku-4-5-20251001`).
 */
export function modesOfModels(job: Pick<JobManifest, 'mode' | 'billing'> & { readonly parts: readonly PartPricing[] }): { modeOf?: (model: string) => 'native' | 'emulated' | undefined } {
  const modes = new Map<string, 'native' | 'emulated'>();
  // Another provider's part (a `provider:model` request) is billed as its mode's default, whatever the job's adapter's billing.
  for (const part of job.parts) {
    if ((part.mode !== undefined || part.provider !== undefined) && part.model !== undefined) modes.set(part.model, pricingMode({ mode: partMode(job, part) }));
  }
  if (modes.size === 0) return {};
  return {
    modeOf: (model) => modes.get(model) ?? [...modes].find(([asked]) => model.startsWith(`${asked}-`))?.[1],
  };
}
