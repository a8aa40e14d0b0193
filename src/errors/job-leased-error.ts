import type { JobLease } from '../models/job-lease.js';
import { LlmBatchError } from './llm-batch-error.js';

/**
 * Another client drives this job: it holds the job's lease. Only one driver may submit, resume,
 * retry, poll or run a job at a time, so that no request is paid twice. Reading status and results
 * never needs the lease.
 */
export class JobLeasedError extends LlmBatchError {
  readonly jobId: string;
  readonly lease: JobLease;

  constructor(jobId: string, lease: JobLease) {
    const { holder } = lease;
    super(
      `Job ${jobId} is driven by another process (pid ${holder.pid} on ${holder.host}, since ${lease.acquiredAt}); ` +
        `only one process may drive a job at a time. Follow it with "llm-batch wait ${jobId}", or stop that process first ` +
        `(its lease lapses at ${lease.expiresAt} unless it is renewed)`,
      { code: 'job_leased' },
    );
    this.name = 'JobLeasedError';
    this.jobId = jobId;
    this.lease = lease;
  }

  static override isInstance(error: unknown): error is JobLeasedError {
    return LlmBatchError.isInstance(error) && error.code === 'job_leased';
  }
}
