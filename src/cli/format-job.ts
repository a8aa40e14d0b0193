import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchJob, JobCounts, JobPriority, JobStatus } from '../models/batch-job.js';
import { formatCost, type DisplayCurrency } from '../cost/currency.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import type { Usage } from '../models/usage.js';

/**
 * The one-line status of a job: `Status: completed | Total: 250 | Completed: 247 | Failed: 3`.
 * Cancelled, expired and pending items are named only when there are some.
 */
export function formatStatusLine(job: { status: JobStatus; counts: JobCounts; priority?: JobPriority }): string {
  const { counts } = job;
  const fields = [`Status: ${job.status}`, `Total: ${counts.total}`, `Completed: ${counts.succeeded}`, `Failed: ${counts.failed}`];
  if (counts.cancelled > 0) fields.push(`Cancelled: ${counts.cancelled}`);
  if (counts.expired > 0) fields.push(`Expired: ${counts.expired}`);
  if (counts.pending > 0) fields.push(`Pending: ${counts.pending}`);
  if (job.priority !== undefined) fields.push(`Priority: ${job.priority}`);
  return fields.join(' | ');
}

/**
 * US dollars: cents for amounts of a dollar or more, four decimals below (batches of cheap calls);
 * with a display currency, the amount converted and written in it (`€3.12`).
 */
export function formatUsd(amount: number, currency?: DisplayCurrency): string {
  if (currency !== undefined) return formatCost(amount, currency);
  return amount >= 1 || amount === 0 ? `$${amount.toFixed(2)}` : `$${amount.toFixed(4)}`;
}

/** `no price for model X`, `no price for models X, Y`: what makes a cost unknown, said instead of `$0`. */
export function formatNoPrice(models: readonly string[]): string {
  return `no price for ${models.length === 1 ? 'model' : 'models'} ${models.join(', ')}`;
}

/**
 * What an estimate says about cost, for a summary line: `estimated $0.0007`; with a model that has
 * no price, `no price for model X` (and what the priced models come to), never `$0.00`.
 */
export function formatEstimatedCost(estimate: CostEstimate, currency?: DisplayCurrency): string {
  const unknown = estimate.unknownModels ?? [];
  if (unknown.length === 0) return `estimated ${formatUsd(estimate.costUsd, currency)}`;
  const priced = estimate.perModel.some((entry) => entry.costUsd !== undefined);
  return priced ? `${formatNoPrice(unknown)}; estimated ${formatUsd(estimate.costUsd, currency)} for the priced models` : formatNoPrice(unknown);
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatElapsed(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${Math.round(seconds % 60)}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function formatUsage(usage: Usage): string {
  const parts = [`${formatCount(usage.inputTokens)} in`, `${formatCount(usage.outputTokens)} out`];
  if (usage.cachedInputTokens) parts.push(`${formatCount(usage.cachedInputTokens)} cached`);
  if (usage.reasoningTokens) parts.push(`${formatCount(usage.reasoningTokens)} reasoning`);
  return parts.join(', ');
}

/** The summary `run`, `wait` and `resume` print once a job has ended. */
export function formatJobSummary(job: BatchJob, aggregate: BatchAggregate | undefined, currency?: DisplayCurrency): string {
  const lines = [`Job ${job.id} (${job.provider}, ${job.mode})`, formatStatusLine(job)];
  if (aggregate) {
    lines.push(`Tokens: ${formatUsage(aggregate.usage)}`);
    const estimate = aggregate.estimate ?? job.estimate;
    const cost = aggregate.costUsd === undefined ? 'unknown' : formatUsd(aggregate.costUsd, currency);
    lines.push(`Cost: ${cost}${estimate ? ` (${formatEstimatedCost(estimate, currency)})` : ''}`);
    lines.push(`Elapsed: ${formatElapsed(aggregate.elapsedMs)}`);
  }
  for (const warning of job.warnings) lines.push(`Warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A job's metadata on one line, `team=risk note="two words"`: a value is quoted (as JSON) when it
 * is empty or holds a space or a quote, so the pairs stay apart. Empty for no metadata.
 */
export function formatMetadata(metadata: Readonly<Record<string, string>>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key}=${value === '' || /[\s"]/.test(value) ? JSON.stringify(value) : value}`)
    .join(' ');
}

/** One row per job for `list`; a PRIORITY column only when some job has a priority, METADATA when some has metadata. */
export function formatJobTable(jobs: readonly BatchJob[]): string {
  if (jobs.length === 0) return 'No jobs in the store.\n';
  const withMetadata = jobs.some((job) => Object.keys(job.metadata).length > 0);
  const withPriority = jobs.some((job) => job.priority !== undefined);
  const header = ['JOB', 'STATUS', 'PROVIDER', 'TOTAL', 'COMPLETED', 'FAILED', 'CREATED', ...(withPriority ? ['PRIORITY'] : []), ...(withMetadata ? ['METADATA'] : [])];
  const rows = jobs.map((job) => [
    job.id,
    job.status,
    `${job.provider}/${job.mode}`,
    String(job.counts.total),
    String(job.counts.succeeded),
    String(job.counts.failed),
    job.createdAt.replace(/\.\d+Z$/, 'Z'),
    ...(withPriority ? [job.priority ?? 'normal'] : []),
    ...(withMetadata ? [formatMetadata(job.metadata)] : []),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const render = (row: readonly string[]): string => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[header, ...rows].map(render).join('\n')}\n`;
}
