import type { BatchClient } from '../client/create-batch-client.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { formatNoPrice, formatUsd } from './format-job.js';
import type { DisplayCurrency } from '../cost/currency.js';
import { displayCurrencyOf } from './display-currency.js';
import { asFileError, type Submission } from './prepare-submission.js';

const previewLines = 3;

/**
 * Prints the estimate and the first provider lines of a job without sending or storing anything:
 *
 * ```text
 * Estimate: $3.12 (≈ –50% vs sync)
 * Preview JSONL (3 lines):
 * {"custom_id":"risk_p1_0",...}
 * ```
 *
 * What a real submit would warn about (unknown prices, a budget the estimate passes) goes to stderr.
 */
export async function printDryRun(client: BatchClient, submission: Submission, line: CommandLine, io: CliIo): Promise<number> {
  let result;
  try {
    result = await client.submit(submission.file.requests, { ...submission.options, dryRun: true, previewCount: previewLines });
  } catch (error) {
    throw asFileError(error, submission.file);
  }
  if (line.flag('json')) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  for (const warning of result.warnings) io.stderr.write(`llm-batch: warning: ${warning}\n`);
  const shown = result.preview.slice(0, previewLines);
  const lines = [
    `Estimate: ${describeEstimate(result.estimate, displayCurrencyOf(line, io))}`,
    `Preview JSONL (${shown.length} ${shown.length === 1 ? 'line' : 'lines'}):`,
    ...shown.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * `$3.12 (≈ –50% vs sync)`. With a model that has no price the cost is unknown, never zero:
 * `unknown (no price for model X)`, or `unknown (no price for model X; $0.0012 for the priced
 * models, ≈ –50% vs sync)` when other models have one.
 */
export function describeEstimate(estimate: CostEstimate | undefined, currency?: DisplayCurrency): string {
  if (!estimate) return 'unknown';
  const percent = Math.round(estimate.savingsRatio * 100);
  const comparison = percent === 0 ? 'same as sync' : `${percent > 0 ? '–' : '+'}${Math.abs(percent)}% vs sync`;
  if (estimate.unknownModels?.length) {
    const known = estimate.perModel.some((entry) => entry.costUsd !== undefined);
    const priced = known ? `; ${formatUsd(estimate.costUsd, currency)} for the priced models, ≈ ${comparison}` : '';
    return `unknown (${formatNoPrice(estimate.unknownModels)}${priced})`;
  }
  return `${formatUsd(estimate.costUsd, currency)} (≈ ${comparison})`;
}
