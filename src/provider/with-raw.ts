import type { BatchResult } from '../models/batch-result.js';

/**
 * `includeRaw`: the result with what the provider said for it (a batch result line, a sync
 * response body) as `raw`, when it has none yet. Cancelled and expired results carry no `raw`.
 */
export function withRaw(result: BatchResult, raw: unknown): BatchResult {
  if (raw === undefined || (result.status !== 'succeeded' && result.status !== 'failed') || result.raw !== undefined) return result;
  return { ...result, raw };
}
