import { AbortError } from '../../errors/abort-error.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type { ProviderCallContext, SubmitPart } from '../../provider/batch-provider.js';
import type { RetryStrategy } from '../../retry/retry-strategy.js';
import type { ResolvedEmulatedOptions } from './emulated-options.js';
import { EmulatedRun } from './emulated-run.js';

/**
 * One request, now: a run of one item, so that it goes through everything a job's item goes
 * through (the call strategy, middleware, tools, the rate limiter, `classifyError` and the retry
 * strategy) and ends with the same terminal result, a failure as a value. Nothing is stored.
 * An abort of `context.signal` rejects with an `AbortError`.
 */
export async function completeOneRequest(
  options: ResolvedEmulatedOptions,
  retry: RetryStrategy,
  request: BatchRequest,
  context: ProviderCallContext,
): Promise<BatchResult> {
  if (context.signal?.aborted) throw new AbortError(undefined, { cause: context.signal.reason });
  let result: BatchResult | undefined;
  const part: SubmitPart = {
    jobId: 'complete',
    partId: 'complete',
    index: 0,
    requestCount: 1,
    metadata: {},
    async *requests() {
      yield request;
    },
  };
  const run = new EmulatedRun(options, part, {
    ...context,
    checkpoint: async () => {},
    recordResult: async (recorded) => {
      result = recorded;
    },
  }, retry);
  await run.done;
  if (result === undefined) {
    // Interrupted: the call was aborted before it ended, so there is no result to give.
    throw new AbortError(undefined, { cause: context.signal?.reason });
  }
  return result;
}
