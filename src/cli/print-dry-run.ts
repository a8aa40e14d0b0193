import type { BatchClient } from '../client/create-batch-client.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
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
    result = await client.submit(submission.file.requests, { ...submission.options, dryRun: true });
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

function isDryRunResult(value: unknown): value is DryRunResult {
  return typeof value === 'object' && value !== null && (value as { dryRun?: unknown }).dryRun === true;
}
