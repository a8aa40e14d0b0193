import { JobFailedError } from '../errors/job-failed-error.js';
import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { BatchJob } from '../models/batch-job.js';

/**
 * `run`'s `throwOnFailure`: the aggregate of a job that did not end `failed`, else a
 * `JobFailedError` carrying it, with the reasons its parts gave.
 */
export function failIfFailed<T>(aggregate: BatchAggregate<T>, job: BatchJob): BatchAggregate<T> {
  if (aggregate.status !== 'failed') return aggregate;
  const reasons = [...new Set(job.parts.map((part) => part.error).filter((error): error is string => error !== undefined))];
  throw new JobFailedError(aggregate, reasons.length === 0 ? undefined : reasons.join('; '));
}
