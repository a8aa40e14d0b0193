import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { BatchResult } from '../../../src/models/batch-result.js';
import type { ProviderReference } from '../../../src/models/batch-job.js';
import type { SubmitContext, SubmitPart } from '../../../src/provider/batch-provider.js';

/** A part as the core would hand it to the adapter. */
export function makePart(requests: readonly BatchRequest[], index = 0): SubmitPart {
  return {
    jobId: 'job_test',
    partId: `part_${index}`,
    index,
    requestCount: requests.length,
    metadata: {},
    async *requests() {
      yield* requests;
    },
  };
}

/** A submit context that records warnings and checkpoints. */
export function makeContext(previous?: ProviderReference): SubmitContext & { warnings: string[]; checkpoints: ProviderReference[] } {
  const warnings: string[] = [];
  const checkpoints: ProviderReference[] = [];
  return {
    warnings,
    checkpoints,
    ...(previous === undefined ? {} : { previous }),
    warn: (message) => warnings.push(message),
    checkpoint: async (reference) => {
      checkpoints.push(reference);
    },
    recordResult: async () => {},
  };
}

/** `count` one-message requests with ids `${prefix}-0` ... */
export function makeRequests(count: number, prefix = 'r', extra: Partial<BatchRequest> = {}): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}-${index}`,
    model: 'claude-haiku-4-5',
    maxTokens: 64,
    messages: [{ role: 'user' as const, content: `question ${prefix}-${index}` }],
    ...extra,
  }));
}

export async function collect(results: AsyncIterable<BatchResult>): Promise<Map<string, BatchResult>> {
  const byId = new Map<string, BatchResult>();
  for await (const result of results) byId.set(result.id, result);
  return byId;
}
