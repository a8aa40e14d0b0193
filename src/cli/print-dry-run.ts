import type { BatchClient } from '../client/create-batch-client.js';
import { estimateCost } from '../cost/estimate-cost.js';
import { loadPricing } from '../cost/load-pricing.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { isOpenAIBatchLine } from '../models/batch-request.js';
import { fromOpenAIBatchLine } from '../models/openai-batch-line.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { formatUsd } from './format-job.js';
import { asFileError, type Submission } from './prepare-submission.js';

/** What `submit(requests, { dryRun: true })` returns: nothing was sent. */
export interface DryRunResult {
  readonly dryRun: true;
  readonly estimate?: CostEstimate;
  /** The first provider lines, as they would be sent. */
  readonly preview: readonly unknown[];
  readonly requestCount: number;
  readonly parts?: unknown;
}

const previewLines = 3;

/**
 * Prints the estimate and the first provider lines of a job without sending anything:
 *
 * ```text
 * Estimate: $3.12 (≈ –50% vs sync)
 * Preview JSONL (3 lines):
 * {"custom_id":"risk_p1_0",...}
 * ```
 */
export async function printDryRun(client: BatchClient, submission: Submission, line: CommandLine, io: CliIo): Promise<number> {
  let result: unknown;
  try {
    // Only a client that estimates also knows `dryRun`; any other would send the job.
    result =
      typeof (client as { estimate?: unknown }).estimate === 'function'
        ? await client.submit(submission.file.requests, { ...submission.options, dryRun: true })
        : await dryRunLocally(client, submission);
  } catch (error) {
    throw asFileError(error, submission.file);
  }
  if (!isDryRunResult(result)) {
    // A client without dry-run support would have sent the job: say so loudly rather than pretend.
    throw new LlmBatchError('this client does not support dry runs; a job may have been submitted', { code: 'dry_run_unsupported' });
  }
  if (line.flag('json')) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const shown = result.preview.slice(0, previewLines);
  const lines = [
    `Estimate: ${describeEstimate(result.estimate)}`,
    `Preview JSONL (${shown.length} ${shown.length === 1 ? 'line' : 'lines'}):`,
    ...shown.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `$3.12 (≈ –50% vs sync)`; the cost is "unknown" when a model has no price, never zero. */
export function describeEstimate(estimate: CostEstimate | undefined): string {
  if (!estimate) return 'unknown';
  const unknown = estimate.unknownModels?.length ? `; no price for ${estimate.unknownModels.join(', ')}` : '';
  const percent = Math.round(estimate.savingsRatio * 100);
  const comparison = percent === 0 ? 'same as sync' : `${percent > 0 ? '–' : '+'}${Math.abs(percent)}% vs sync`;
  return `${formatUsd(estimate.costUsd)} (≈ ${comparison}${unknown})`;
}

/** A dry run built from the adapter's `preview` and the cost estimator: nothing is stored or sent. */
async function dryRunLocally(client: BatchClient, submission: Submission): Promise<DryRunResult> {
  const provider = await client.provider();
  const { model, pricing } = submission.options as { model?: string; pricing?: string };
  const requests = submission.file.requests.map((input, index) => {
    const request = isOpenAIBatchLine(input) ? fromOpenAIBatchLine(input, index) : { ...input };
    if (request.model === undefined && model !== undefined) request.model = model;
    return request;
  });
  const estimate = await estimateCost(requests, {
    mode: provider.mode,
    pricing: await loadPricing(pricing),
    ...(model === undefined ? {} : { defaultModel: model }),
  });
  const preview = requests.slice(0, previewLines).map((request) => (provider.preview ? provider.preview(request) : request));
  return { dryRun: true, estimate, preview, requestCount: requests.length };
}

function isDryRunResult(value: unknown): value is DryRunResult {
  return typeof value === 'object' && value !== null && (value as { dryRun?: unknown }).dryRun === true;
}
