import { randomBytes } from 'node:crypto';
import { modesOfModels, validateCostOptions, type CostOptions } from '../cost/cost-extension.js';
import { createEstimateTally } from '../cost/estimate-cost.js';
import { loadPricing } from '../cost/load-pricing.js';
import { pricingMode } from '../models/batch-job.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore, StoredRequest } from '../store/batch-store.js';
import type { StructuredOutputSchema } from '../structured-output/structured-output-schema.js';
import { planJob, type PartRoute } from './plan-job.js';
import { adapterPlanning, planningStore } from './planning-store.js';
import type { RequestDefaults } from './apply-defaults.js';

/** Options of `client.estimate()`. */
export interface EstimateOptions extends CostOptions {
  /** The model of requests that name none. */
  readonly model?: string;
  /**
   * Price as if run this way (`native`: the batch discount, `emulated`: the sync price).
   * @default as the adapter bills: its `billing`, else its mode
   */
  readonly mode?: 'native' | 'emulated';
  /**
   * Called with each warning of the estimate (what a dry run lists in `warnings`): a model with no
   * price, requests too large to count exactly, a budget the estimate passes.
   */
  readonly onWarning?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Share of `maxTokens` a request is expected to use. @default 0.5 */
  readonly expectedOutputRatio?: number;
  /** Structured output: its JSON schema is part of the input, as it will be sent. */
  readonly schema?: StructuredOutputSchema;
  readonly schemaName?: string;
  readonly strict?: boolean;
}

/** What `submit(requests, { dryRun: true })` returns. Nothing was sent or stored. */
export interface DryRunResult {
  readonly dryRun: true;
  readonly provider: string;
  readonly mode: 'native' | 'emulated';
  readonly estimate: CostEstimate;
  /** The provider bodies of the first requests (OpenAI: the batch input lines), as they would be sent. */
  readonly preview: unknown[];
  readonly requestCount: number;
  /** The parts the job would be split into (`provider`: a part of a mixed job not on the client's provider). */
  readonly parts: { readonly requestCount: number; readonly bytes: number; readonly model?: string; readonly provider?: string }[];
  /** What a real submit would warn about (unknown prices, requests too large to count exactly, a budget the estimate passes). */
  readonly warnings: string[];
}

/** Inputs of {@link planDryRun}: what the client knows. */
export interface PlanDryRunInput {
  readonly requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>;
  readonly options: EstimateOptions;
  readonly provider: BatchProvider;
  readonly transform?: (request: BatchRequest) => BatchRequest;
  /** How many provider bodies to show. @default 3 */
  readonly previewCount?: number;
  /** The client's per-request defaults. */
  readonly defaults?: RequestDefaults;
  /** Mixed-provider jobs and per-model caps: where each request goes, and the adapter of a part's provider (for its preview). */
  readonly routing?: DryRunRouting;
}

/** How a dry run plans `provider:model` requests: as `submit` does. */
export interface DryRunRouting {
  readonly route: (request: BatchRequest) => Promise<PartRoute>;
  readonly providerOf: (name: string) => Promise<BatchProvider>;
}

/**
 * Validates and plans requests exactly as `submit` would, in a throw-away in-memory store, then
 * estimates their cost and renders the first provider bodies. No network call, nothing persisted.
 */
export async function planDryRun(input: PlanDryRunInput): Promise<DryRunResult> {
  const { options, provider } = input;
  validateCostOptions(options, 'estimate');
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new TypeError(`estimate: option "onWarning" must be a function, got ${JSON.stringify(options.onWarning)}`);
  }
  const mode = options.mode ?? provider.mode;
  if (mode !== 'native' && mode !== 'emulated') {
    throw new TypeError(`estimate: option "mode" must be "native" or "emulated", got ${JSON.stringify(options.mode)}`);
  }
  const previewCount = input.previewCount ?? 3;
  // The plan keeps no request: the estimate is counted as each one is planned, and only the first
  // few of each part are held for the preview, so a dry run of millions of requests stays small.
  const store = previewStore(previewCount);
  const jobId = `dryrun_${randomBytes(6).toString('hex')}`;
  const tally = createEstimateTally({
    // As the adapter bills unless a mode was asked for (distributed(): native, at sync prices).
    mode: options.mode ?? pricingMode(provider),
    ...(options.expectedOutputRatio === undefined ? {} : { expectedOutputRatio: options.expectedOutputRatio }),
    ...(options.exactTokens === undefined ? {} : { exactTokens: options.exactTokens }),
    ...(provider.countTokens ? { countRequestTokens: (request: BatchRequest) => provider.countTokens!(request) } : {}),
    ...(provider.cachedInputTokens ? { countCachedTokens: (request: BatchRequest) => provider.cachedInputTokens!(request) } : {}),
    ...(options.model === undefined ? {} : { defaultModel: options.model }),
  });
  const plan = await planJob({
    jobId,
    input: input.requests,
    store,
    ...adapterPlanning(provider, options.model, input.defaults),
    ...(input.transform ? { transform: input.transform } : {}),
    ...(input.routing ? { route: input.routing.route } : {}),
    observe: (request) => {
      options.signal?.throwIfAborted();
      return tally.add(request);
    },
  });
  const warnings: string[] = [];
  const pricing = await loadPricing(options.pricing);
  const preview: unknown[] = [];
  for (const part of plan.parts) {
    const partProvider = part.provider !== undefined && input.routing ? await input.routing.providerOf(part.provider) : provider;
    for await (const { request } of store.readRequests(jobId, part.index)) {
      if (preview.length < previewCount) preview.push(partProvider.preview ? partProvider.preview(request) : request);
    }
  }
  // As submit prices them: a part in another mode than the client's (one model each) in its mode, unless a mode was asked for.
  const modeOf = options.mode === undefined ? modesOfModels({ mode: provider.mode, parts: plan.parts }) : {};
  const estimate = tally.finish({ pricing, onWarning: (message) => warnings.push(message), ...modeOf });
  if (options.maxCostUsd !== undefined && estimate.costUsd > options.maxCostUsd) {
    warnings.push(
      mode === 'native'
        ? `The estimate $${estimate.costUsd.toFixed(4)} exceeds maxCostUsd=$${options.maxCostUsd}: submit would refuse this job`
        : `The estimate $${estimate.costUsd.toFixed(4)} exceeds maxCostUsd=$${options.maxCostUsd}: the run would stop once the budget is spent`,
    );
  }
  for (const warning of warnings) options.onWarning?.(warning);
  return {
    dryRun: true,
    provider: provider.name,
    mode,
    estimate,
    preview,
    requestCount: plan.total,
    parts: plan.parts.map((part) => ({
      requestCount: part.requestCount,
      bytes: part.bytes,
      ...(part.model === undefined ? {} : { model: part.model }),
      ...(part.provider === undefined ? {} : { provider: part.provider }),
    })),
    warnings,
  };
}

/** A store for planning only: it keeps the first `keep` requests of each part (for the preview) and forgets the rest. */
function previewStore(keep: number): BatchStore {
  const parts = new Map<number, StoredRequest[]>();
  return planningStore('a dry run', {
    async deleteJob() {
      parts.clear();
    },
    async createRequestWriter(_jobId, partIndex) {
      const kept: StoredRequest[] = [];
      parts.set(partIndex, kept);
      return {
        write(record) {
          if (kept.length < keep) kept.push(record);
        },
        async close() {},
      };
    },
    async *readRequests(_jobId, partIndex) {
      yield* parts.get(partIndex) ?? [];
    },
  });
}
