import type { JobStatus } from '../../models/batch-job.js';

/**
 * Maps a Gemini batch state to the part's status. Reads the wire's `BATCH_STATE_*` and the SDK's
 * `JOB_STATE_*` (the SDK renames them) alike: pending and running -> `in_progress`, succeeded -> `completed`, failed -> `failed`, cancelled -> `cancelled`, expired ->
 * `expired` (Gemini expires a job that ran past 48 hours as a whole, with no results). `CANCELLING`
 * (JOB_STATE_CANCELLING) -> `cancelling`; unknown states are not terminal (`in_progress`).
 */
export function mapGeminiBatchState(state: string | null | undefined): JobStatus {
  const name = (state ?? '').replace(/^(BATCH|JOB)_STATE_/, '');
  switch (name) {
    case 'SUCCEEDED':
    case 'PARTIALLY_SUCCEEDED':
      return 'completed';
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'cancelled';
    case 'CANCELLING':
      return 'cancelling';
    case 'EXPIRED':
      return 'expired';
    default:
      return 'in_progress';
  }
}
