import type { BatchJob, JobCounts } from '../models/batch-job.js';

/** The exit codes of every command. */
export const exitCodes = {
  /** Every item succeeded (or the command had nothing to judge). */
  success: 0,
  /** The job ended, but some items failed, expired or were cancelled. */
  itemsFailed: 1,
  /** Usage, input or configuration error: bad flags, bad input file, unknown job, missing key, budget refusal. */
  usage: 2,
  /** The job as a whole failed, expired or was cancelled, or the provider could not be reached. */
  jobFailed: 3,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The exit code a job's outcome maps to; a job still running counts as success. */
export function exitCodeForJob(job: { status: BatchJob['status']; counts: JobCounts }): ExitCode {
  if (job.status === 'failed' || job.status === 'expired' || job.status === 'cancelled') return exitCodes.jobFailed;
  const { failed, cancelled, expired } = job.counts;
  return failed + cancelled + expired > 0 ? exitCodes.itemsFailed : exitCodes.success;
}
