import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { BatchResult } from '../../../src/models/batch-result.js';
import type { ProviderReference } from '../../../src/models/batch-job.js';
import type { SubmitContext, SubmitPart } from '../../../src/provider/batch-provider.js';
import type { EmulatedProvider } from '../../../src/adapters/emulated/index.js';

/** `count` requests with distinct prompts (the emulator counts successful calls per prompt). */
export function makeRequests(count: number, prefix = 'item'): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}_${index}`,
    model: 'gpt-5.4-mini',
    maxTokens: 16,
    messages: [{ role: 'user' as const, content: `${prefix} prompt ${index}` }],
  }));
}

/** A part over an array (or any iterable), as the core hands one to an adapter. */
export function makePart(requests: Iterable<BatchRequest> | AsyncIterable<BatchRequest>, requestCount: number): SubmitPart {
  return {
    jobId: 'job_test',
    partId: 'part_0',
    index: 0,
    requestCount,
    metadata: {},
    async *requests() {
      yield* requests;
    },
  };
}

/** A submit context that journals into an array, like the core does into the store. */
export function makeContext(): SubmitContext & { journal: BatchResult[]; warnings: string[] } {
  const journal: BatchResult[] = [];
  const warnings: string[] = [];
  return {
    journal,
    warnings,
    warn: (message) => warnings.push(message),
    checkpoint: async () => {},
    recordResult: async (result) => {
      journal.push(result);
    },
  };
}

/** Submits, waits for the run to end and returns its final poll and journal. */
export async function runToEnd(provider: EmulatedProvider, requests: BatchRequest[]) {
  const context = makeContext();
  const reference: ProviderReference = await provider.submit(makePart(requests, requests.length), context);
  await provider.waitForRun(reference);
  const poll = await provider.poll(reference, context);
  return { reference, poll, journal: context.journal, warnings: context.warnings, context };
}

export function byId(journal: readonly BatchResult[]): Map<string, BatchResult> {
  return new Map(journal.map((result) => [result.id, result]));
}
