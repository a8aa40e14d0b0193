import type { JobManifest, PartManifest, JobCounts, JobStatus } from '../models/batch-job.js';
import { isTerminalStatus } from '../models/batch-job.js';

/**
 * The job's status from its parts'. While any part runs, the least advanced running state wins;
 * once all are terminal: `completed` if any part completed, else expired, cancelled or failed.
 */
export function deriveJobStatus(parts: readonly PartManifest[]): JobStatus {
  const running = parts.filter((part) => !isTerminalStatus(part.status));
  if (running.length > 0) {
    if (running.some((part) => part.status === 'cancelling')) return 'cancelling';
    if (running.every((part) => part.status === 'validating')) return 'validating';
    if (running.every((part) => part.status === 'finalizing')) return 'finalizing';
    return 'in_progress';
  }
  const statuses = new Set(parts.map((part) => part.status));
  if (statuses.has('completed')) return 'completed';
  if (statuses.has('expired')) return 'expired';
  if (statuses.has('cancelled')) return 'cancelled';
  return 'failed';
}

/** Sums part counts into job counts; a part with no counts yet is all pending. Always sums to total. */
export function deriveJobCounts(parts: readonly PartManifest[]): JobCounts {
  const counts: JobCounts = { total: 0, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: 0 };
  for (const part of parts) {
    counts.total += part.requestCount;
    const partCounts = part.counts;
    if (!partCounts) {
      counts.pending += part.requestCount;
      continue;
    }
    counts.succeeded += partCounts.succeeded;
    counts.failed += partCounts.failed;
    counts.cancelled += partCounts.cancelled;
    counts.expired += partCounts.expired;
  }
  counts.pending = counts.total - counts.succeeded - counts.failed - counts.cancelled - counts.expired;
  return counts;
}

/** Part counts from provider-reported numbers, clamped so they never pass the part's size. */
export function partCountsFromReport(
  requestCount: number,
  report: { succeeded?: number; failed?: number; cancelled?: number; expired?: number } | undefined,
): JobCounts | undefined {
  if (!report) return undefined;
  let remaining = requestCount;
  const take = (value: number | undefined): number => {
    const taken = Math.max(0, Math.min(remaining, Math.floor(value ?? 0)));
    remaining -= taken;
    return taken;
  };
  const succeeded = take(report.succeeded);
  const failed = take(report.failed);
  const cancelled = take(report.cancelled);
  const expired = take(report.expired);
  return { total: requestCount, succeeded, failed, cancelled, expired, pending: remaining };
}

/** Ended: terminal, with every part's results in the store. */
export function hasEnded(job: Pick<JobManifest, 'status' | 'parts'>): boolean {
  return isTerminalStatus(job.status) && job.parts.every((part) => part.resultsStored);
}

/** A part whose submission failed: `failed` without ever reaching the provider; `resume` submits it again. */
export function submitFailed(part: PartManifest): boolean {
  return part.status === 'failed' && part.submitState !== 'submitted';
}

/** Counts of a part with nothing ended yet. */
export function zeroCounts(total: number): JobCounts {
  return { total, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: total };
}
