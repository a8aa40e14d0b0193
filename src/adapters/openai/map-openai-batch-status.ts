import type { JobStatus } from '../../models/batch-job.js';

const statuses: Readonly<Record<string, JobStatus>> = {
  validating: 'validating',
  in_progress: 'in_progress',
  finalizing: 'finalizing',
  completed: 'completed',
  failed: 'failed',
  expired: 'expired',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
};

/**
 * Maps an OpenAI batch status. A status this library does not know is taken as still running
 * (`in_progress`): treating it as terminal would read results that are not there yet.
 */
export function mapOpenAIBatchStatus(status: string): JobStatus {
  return Object.hasOwn(statuses, status) ? (statuses[status] as JobStatus) : 'in_progress';
}
