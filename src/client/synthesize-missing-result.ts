import type { PartManifest, JobMode } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';

/**
 * The result of a request that has no line in the provider's results after its part ended.
 * Nothing is ever dropped: a cancelled or expired part reports its unfinished items as such,
 * any other gap is a failure of category `unknown`. An emulated run that stopped as a whole
 * (fail-fast, `abortOn`) never started its remaining items: they are cancelled, with the reason.
 */
export function synthesizeMissingResult(id: string, part: PartManifest, mode: JobMode): BatchResult {
  if (mode === 'emulated' && part.status === 'failed') {
    return {
      id,
      status: 'cancelled',
      error: {
        category: 'cancelled',
        message: `Not run: the job stopped${part.error ? ` (${part.error})` : ''}`,
        retryable: true,
      },
    };
  }
  switch (part.status) {
    case 'cancelled':
      return {
        id,
        status: 'cancelled',
        error: { category: 'cancelled', message: 'The job was cancelled before this request ran', retryable: true },
      };
    case 'expired':
      return {
        id,
        status: 'expired',
        error: { category: 'expired', message: 'The batch expired before this request ran', retryable: true },
      };
    case 'failed':
      return {
        id,
        status: 'failed',
        error: {
          category: part.error ? 'invalid_request' : 'unknown',
          message: part.error ? `The batch failed: ${part.error}` : 'The batch failed before this request ran',
          retryable: !part.error,
        },
      };
    default:
      return {
        id,
        status: 'failed',
        error: {
          category: 'unknown',
          message: 'The provider returned no result for this request',
          retryable: true,
        },
      };
  }
}
