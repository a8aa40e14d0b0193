import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createFakeBatchBackend, fakeBatchProvider, type FakeBatch } from '../../src/adapters/fake/fake-batch-provider.js';
import type { ProviderReference } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchProvider, ProviderCallContext } from '../../src/provider/batch-provider.js';
import { checkAdapterConformance } from '../../src/testing/check-adapter-conformance.js';

type Fake = ReturnType<typeof fakeBatchProvider>;

/** One bug planted in an otherwise correct adapter (the fake), and the check that must catch it. */
interface PlantedBug {
  readonly bug: string;
  readonly plant: (fake: Fake) => BatchProvider;
  /** Part of the name of the check that must fail. */
  readonly check: string;
  /** Part of the message it must fail with. */
  readonly says: string;
}

function batchOf(fake: Fake, reference: ProviderReference): FakeBatch {
  return fake.backend.batches.get(String(reference.id))!;
}

/** Results of the fake, passed through `change` (which may drop, alter or add results). */
function changeResults(fake: Fake, change: (results: BatchResult[], reference: ProviderReference) => unknown[]): Partial<BatchProvider> {
  return {
    async *results(reference: ProviderReference, context: ProviderCallContext) {
      const results: BatchResult[] = [];
      for await (const result of fake.results(reference, context)) results.push(result);
      yield* change(results, reference) as BatchResult[];
    },
  };
}

/** Alters the first succeeded result. */
function changeFirstSucceeded(fake: Fake, change: (result: Record<string, unknown>) => void): Partial<BatchProvider> {
  return changeResults(fake, (results) => {
    const copies = results.map((result) => structuredClone(result) as unknown as Record<string, unknown>);
    const first = copies.find((result) => result['status'] === 'succeeded');
    if (first) change(first);
    return copies;
  });
}

const plantedBugs: PlantedBug[] = [
  {
    bug: 'a result for an id that is not in the batch',
    plant: (fake) => ({
      ...fake,
      ...changeResults(fake, (results) => [...results, { ...results[0]!, id: 'ghost_1' }]),
    }),
    check: 'one well-formed result per request',
    says: 'results for ids that are not in the batch: "ghost_1"',
  },
  {
    bug: 'a missing result',
    plant: (fake) => ({ ...fake, ...changeResults(fake, (results) => results.slice(1)) }),
    check: 'one well-formed result per request',
    says: 'of a completed batch',
  },
  {
    bug: 'two results for one id',
    plant: (fake) => ({ ...fake, ...changeResults(fake, (results) => [...results, results[0]!]) }),
    check: 'one well-formed result per request',
    says: 'more than one result for',
  },
  {
    bug: 'status "weird"',
    plant: (fake) => ({
      ...fake,
      ...changeFirstSucceeded(fake, (result) => {
        result['status'] = 'weird';
      }),
    }),
    check: 'one well-formed result per request',
    says: 'status "weird" is not one of succeeded, failed, cancelled, expired',
  },
  {
    bug: 'succeeded with no text',
    plant: (fake) => ({
      ...fake,
      ...changeFirstSucceeded(fake, (result) => {
        delete result['text'];
      }),
    }),
    check: 'one well-formed result per request',
    says: 'a succeeded result has no text',
  },
  {
    bug: 'succeeded with no usage',
    plant: (fake) => ({
      ...fake,
      ...changeFirstSucceeded(fake, (result) => {
        delete result['usage'];
      }),
    }),
    check: 'one well-formed result per request',
    says: 'a succeeded result has no usage',
  },
  {
    bug: 'a negative token count',
    plant: (fake) => ({
      ...fake,
      ...changeFirstSucceeded(fake, (result) => {
        (result['usage'] as Record<string, number>)['outputTokens'] = -4;
      }),
    }),
    check: 'one well-formed result per request',
    says: 'usage.outputTokens is -4',
  },
  {
    bug: 'a NaN token count',
    plant: (fake) => ({
      ...fake,
      ...changeFirstSucceeded(fake, (result) => {
        (result['usage'] as Record<string, number>)['inputTokens'] = Number.NaN;
      }),
    }),
    check: 'one well-formed result per request',
    says: 'usage.inputTokens is NaN',
  },
  {
    bug: 'a failed result with an unknown error category',
    plant: (fake) => ({
      ...fake,
      ...changeResults(fake, (results) =>
        results.map((result) => (result.status === 'failed' ? { ...result, error: { ...result.error, category: 'oops' } } : result)),
      ),
    }),
    check: 'one well-formed result per request',
    says: 'error.category "oops" is not a known category',
  },
  {
    bug: 'poll says completed before every result exists, and results() hands over what exists so far',
    plant: (fake) => ({
      ...fake,
      async poll(reference, context) {
        const polled = await fake.poll(reference, context);
        return polled.status === 'in_progress' ? { ...polled, status: 'completed' } : polled;
      },
      ...changeResults(fake, (results, reference) =>
        batchOf(fake, reference).status === 'completed' ? results : results.slice(0, Math.floor(results.length / 2)),
      ),
    }),
    check: 'one well-formed result per request',
    says: 'of a completed batch',
  },
  {
    bug: 'poll never reports a terminal status after a cancel',
    plant: (fake) => ({
      ...fake,
      async poll(reference, context) {
        const polled = await fake.poll(reference, context);
        return polled.status === 'cancelled' ? { ...polled, status: 'cancelling' } : polled;
      },
    }),
    check: 'a cancelled batch reaches a terminal status',
    says: 'poll still reports "cancelling"',
  },
  {
    bug: 'poll reports a status outside the contract',
    plant: (fake) => ({
      ...fake,
      async poll(reference, context) {
        const polled = await fake.poll(reference, context);
        return { ...polled, status: polled.status === 'completed' ? ('done' as never) : polled.status };
      },
    }),
    check: 'poll reports known statuses',
    says: 'poll returned status "done"',
  },
  {
    bug: 'poll counts more requests than the batch holds',
    plant: (fake) => ({
      ...fake,
      async poll(reference, context) {
        const polled = await fake.poll(reference, context);
        return { ...polled, counts: { succeeded: batchOf(fake, reference).requests.length + 1 } };
      },
    }),
    check: 'poll reports known statuses and plausible counts',
    says: 'poll returned counts.succeeded = 4 for a batch of 3 requests',
  },
  {
    bug: 'submit returns a reference without an id',
    plant: (fake) => ({
      ...fake,
      async submit(part, context) {
        const { id } = await fake.submit(part, context);
        return { batchId: id } as never;
      },
    }),
    check: 'submit returns a reference with an id',
    says: 'submit returned a reference without a usable id',
  },
  {
    bug: 'poll ignores an aborted signal',
    plant: (fake) => ({
      ...fake,
      async poll(reference, context) {
        // Stands for a slow provider call made without the signal. Only the aborted call is slow,
        // so that the rest of the suite runs at full speed.
        if (context.signal?.aborted) await sleep(3_000);
        return fake.poll(reference, context);
      },
    }),
    check: 'aborted signal',
    says: 'poll called with an aborted signal had not settled after 1000 ms',
  },
  {
    bug: 'cancel throws on an ended batch',
    plant: (fake) => ({
      ...fake,
      async cancel(reference, context) {
        if (batchOf(fake, reference).status === 'completed') throw new Error('Batch already completed');
        return fake.cancel(reference, context);
      },
    }),
    check: 'cancel of an ended batch',
    says: 'cancel of a completed batch threw: Batch already completed',
  },
  {
    bug: 'cancel turns an ended batch into a cancelled one',
    plant: (fake) => ({
      ...fake,
      async cancel(reference) {
        batchOf(fake, reference).status = 'cancelled';
      },
    }),
    check: 'cancel of an ended batch',
    says: 'poll reports "cancelled" for a batch that had completed',
  },
  {
    bug: 'limits that are not numbers',
    plant: (fake) => ({ ...fake, limits: { ...fake.limits, maxRequests: '1000' as never } }),
    check: 'numeric limits',
    says: 'limits.maxRequests is "1000", not a whole number',
  },
  {
    bug: 'find returns the batch of another part',
    plant: (fake) => ({
      ...fake,
      async find() {
        const [first] = fake.backend.batches.values();
        return first ? { id: first.id } : undefined;
      },
    }),
    check: 'find returns the batch of its own part',
    says: 'the id find returned for the part that created the batch',
  },
  {
    bug: 'results() can be read only once',
    plant: (fake) => {
      const read = new Set<string>();
      return {
        ...fake,
        ...changeResults(fake, (results, reference) => {
          const first = !read.has(String(reference.id));
          read.add(String(reference.id));
          return first ? results : [];
        }),
      };
    },
    check: 'the same results when read again',
    says: 'the ids and statuses of a second read of results()',
  },
];

/** The suite run against an adapter made by `make`, fast: the fake answers at once. */
function conformanceOf(name: string, make: (fake: Fake) => BatchProvider) {
  const backend = createFakeBatchBackend();
  return checkAdapterConformance({
    name,
    createAdapter: () => make(fakeBatchProvider({ backend })),
    pollIntervalMs: 1,
    // Short: a planted bug that keeps a batch running fails at this deadline, and the fake needs a few ms.
    timeoutMs: 2_000,
  });
}

describe('runAdapterConformance catches adapter bugs', () => {
  it('passes the correct adapter the bugs are planted in, on every check', async () => {
    const report = await conformanceOf('fake', (fake) => fake);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.passed.length).toBeGreaterThanOrEqual(15);
  });

  it('plants more than eleven distinct bugs', () => {
    expect(new Set(plantedBugs.map((planted) => planted.bug)).size).toBe(plantedBugs.length);
    expect(plantedBugs.length).toBeGreaterThan(11);
  });

  describe.concurrent.each(plantedBugs)('$bug', ({ bug, plant, check, says }) => {
    it(`fails "…${check}…", saying "${says}"`, async () => {
      const report = await conformanceOf(bug, plant);
      const caught = report.failed.find((failure) => failure.check.includes(check) && failure.message.includes(says));
      expect(caught, `failures were: ${JSON.stringify(report.failed, null, 2)}`).toBeDefined();
    });
  });
});
