import { LlmBatchError } from '../errors/llm-batch-error.js';
import type { BatchJob } from '../models/batch-job.js';
import type { BatchProvider } from '../provider/batch-provider.js';

/**
 * Stands in for the provider of a job whose results are all in the store: reading it needs no
 * network, no API key and no emulator. Any call to the provider is a bug and says so.
 */
export function storedJobProvider(job: BatchJob): BatchProvider {
  const unreachable = (): never => {
    throw new LlmBatchError(`Job ${job.id} has ended and is read from the store; its provider is not contacted`, {
      code: 'provider_not_configured',
    });
  };
  return {
    name: job.provider,
    mode: job.mode,
    limits: { maxRequests: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER, oneModelPerPart: false },
    submit: async () => unreachable(),
    poll: async () => unreachable(),
    results: () => unreachable(),
    cancel: async () => unreachable(),
  };
}
