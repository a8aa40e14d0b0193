import { isTerminalStatus, partMode, type JobManifest } from '../models/batch-job.js';
import type { JobLease } from '../models/job-lease.js';
import type { ClientCore } from './client-core.js';
import { hasEnded, submitFailed } from './derive-job-state.js';
import { isLeaseRef } from './job-leases.js';
import type { PartProviders } from './part-providers.js';

/** What {@link cancelJob} needs of the client. */
export interface CancelContext {
  readonly core: ClientCore;
  readonly parts: PartProviders;
  /** The job brought up to date (the client's `status`, as stored). */
  status(jobId: string, options: { signal?: AbortSignal }): Promise<JobManifest>;
  /** Remembers who drives a job this client could only read. */
  drivenElsewhere(job: JobManifest, lease: JobLease): JobManifest;
}

/**
 * Cancels the job. When this client can drive it, the provider batches are cancelled (an emulated
 * run stops scheduling, aborts its calls and journals the rest `cancelled`). When another client
 * drives it, the cancel is recorded in the store and that driver stops the job within a quarter
 * of a second; the job returned then carries `cancelRequestedAt` and the driver's last stored state.
 */
export async function cancelJob(context: CancelContext, jobId: string, options: { signal?: AbortSignal }): Promise<JobManifest> {
  const { core } = context;
  if (!core.leases.holds(jobId)) {
    const stored = await core.jobs.snapshot(jobId);
    if (hasEnded(stored)) return stored;
  }
  const lease = await core.leases.tryHold(jobId);
  if (!isLeaseRef(lease)) {
    await core.store.requestCancel(jobId);
    return context.drivenElsewhere(await core.jobs.snapshot(jobId), lease);
  }
  try {
    const job = await core.jobs.load(jobId);
    job.cancelRequestedAt ??= (await core.store.cancelRequested(jobId)) ?? new Date().toISOString();
    for (const part of job.parts) {
      if (isTerminalStatus(part.status) && !submitFailed(part)) continue;
      const reference = part.reference;
      const detached = partMode(job, part) === 'emulated' && !core.activeRuns.has(part.id);
      if (part.submitState !== 'submitted' || !reference || detached) {
        // Nothing runs at the provider for this part: it is cancelled here and now.
        part.status = 'cancelled';
        continue;
      }
      const provider = await context.parts.forPart(job, part);
      await core.withRetry(provider, (signal) => provider.cancel(reference, core.callContext(job, signal)), options.signal);
      if (part.status !== 'cancelled') part.status = 'cancelling';
    }
    await core.jobs.save(job);
    return await context.status(jobId, options);
  } finally {
    await core.jobs.release(lease);
  }
}
