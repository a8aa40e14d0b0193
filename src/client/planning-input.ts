import { convertEstimate } from '../cost/currency.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { StructuredOutputSchema } from '../structured-output/structured-output-schema.js';
import { withDefaultOptions, type RequestDefaults } from './apply-defaults.js';
import type { BatchClientOptions, SubmitOptions } from './batch-client-options.js';
import { planDryRun, type DryRunResult, type DryRunRouting, type EstimateOptions } from './plan-dry-run.js';
import { requestTransform } from './plan-new-job.js';

/** What the planner gets from a client: the options with the client's defaults, the defaults, and the request transform. */
export interface PlanningInput<O> {
  readonly options: O;
  readonly defaults?: RequestDefaults;
  readonly transform?: (request: BatchRequest) => BatchRequest;
}

/**
 * The options of a submit, run, retry, estimate or dry run as the planner takes them: the model and
 * the schema filled from the client's defaults (then the adapter's own default model), the
 * per-request defaults beside them, and the request transform of the result (structured output,
 * the service tier).
 */
export function planningInput<O extends Pick<SubmitOptions, 'priority' | 'serviceTierFromPriority'> & { readonly model?: string; readonly schema?: StructuredOutputSchema }>(
  options: O,
  defaults: RequestDefaults | undefined,
  provider: BatchProvider,
): PlanningInput<O> {
  const filled = withDefaultOptions(options, defaults, provider);
  const transform = requestTransform(filled);
  return { options: filled, ...(defaults === undefined ? {} : { defaults }), ...(transform ? { transform } : {}) };
}

/**
 * A dry run (or an estimate: `previewCount: 0`) as a client makes it: its defaults applied, and the
 * estimate converted to its display currency.
 */
export async function clientDryRun(
  requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>,
  options: EstimateOptions,
  provider: BatchProvider,
  client: Pick<BatchClientOptions, 'defaults' | 'currency'>,
  previewCount: number | undefined,
  routing?: DryRunRouting,
): Promise<DryRunResult> {
  const planning = planningInput(options, client.defaults, provider);
  const result = await planDryRun({ requests, provider, ...planning, ...(previewCount === undefined ? {} : { previewCount }), ...(routing ? { routing } : {}) });
  return { ...result, estimate: convertEstimate(result.estimate, client.currency) };
}
