import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { emulated, type EmulatedProvider } from '../../src/adapters/emulated/index.js';
import { createFakeBatchBackend, fakeBatchProvider, type FakeBatch } from '../../src/adapters/fake/fake-batch-provider.js';
import type { ProviderReference } from '../../src/models/batch-job.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchProvider, ProviderCallContext } from '../../src/provider/batch-provider.js';
import type { CallStrategy } from '../../src/provider/call-strategy.js';
import { checkAdapterConformance } from '../../src/testing/check-adapter-conformance.js';

type Fake = ReturnType<typeof fakeBatchProvider>;

/**
 * One bug planted in an otherwise correct adapter, and the check that must catch it. The adapter is
 * the fake (native), or, for the members only emulated adapters have, an emulated adapter whose
 * calls are answered in this process.
 */
type PlantedBug = {
  readonly bug: string;
  /** Part of the name of the check that must fail. */
  readonly check: string;
  /** Part of the message it must fail with. */
  readonly says: string;
} & Planting;

type Planting =
  | { readonly on?: 'fake'; readonly plant: (fake: Fake) => BatchProvider }
  | { readonly on: 'emulated'; readonly plant: (provider: EmulatedProvider) => BatchProvider };

function lastText(request: BatchRequest): string {
  const content = request.messages.at(-1)?.content ?? '';
  return typeof content === 'string' ? content : '';
}

/** The fake with the optional members it lacks, honestly added: the correct adapter for their bugs. */
function withEveryMember(fake: Fake): BatchProvider {
  return {
    ...fake,
    measure: (request) => Buffer.byteLength(JSON.stringify(fake.preview!(request))),
    // The fake bills a quarter token per character of the last message.
    countTokens: async (request) => Math.ceil(lastText(request).length / 4),
    // The fake keeps no files to delete.
    async cleanup() {},
  };
}

/** A call strategy answered in this process after a few ms; requests marked `[fail]` fail with a 400. */
const localCalls: CallStrategy = {
  name: 'local',
  async call(request, context) {
    await sleep(3, undefined, { signal: context.signal });
    const text = lastText(request);
    if (text.includes('[fail]')) throw Object.assign(new Error('Rejected by the local provider'), { status: 400 });
    const inputTokens = Math.ceil(text.length / 4);
    return {
      text: `echo: ${text}`,
      finishReason: 'stop',
      usage: { inputTokens, outputTokens: inputTokens + 2, totalTokens: 2 * inputTokens + 2 },
      model: request.model ?? 'local-model',
    };
  },
};

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
    bug: 'a billing that is neither batch nor sync',
    plant: (fake) => ({ ...fake, billing: 'discounted' as never }),
    check: 'declares a name, a mode',
    says: 'billing is "discounted", not one of batch, sync',
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
  {
    bug: 'pollIntervalMs of 0',
    plant: (fake) => ({ ...fake, pollIntervalMs: 0 }),
    check: 'pollIntervalMs is a finite number of at least 1',
    says: 'pollIntervalMs is 0, not a finite number',
  },
  {
    bug: 'preview calls the network',
    plant: (fake) => ({
      ...fake,
      preview(request) {
        void fetch('http://127.0.0.1:9/v1/preview').catch(() => undefined);
        return fake.preview!(request);
      },
    }),
    check: 'preview returns the provider body',
    says: 'preview called the network (fetch of http://127.0.0.1:9/v1/preview)',
  },
  {
    bug: 'preview throws',
    plant: (fake) => ({
      ...fake,
      preview() {
        throw new Error('no preview for this model');
      },
    }),
    check: 'preview returns the provider body',
    says: 'preview threw: no preview for this model',
  },
  {
    bug: 'measure returns -1',
    plant: (fake) => ({ ...withEveryMember(fake), measure: () => -1 }),
    check: 'measure returns the size of a request',
    says: 'measure returned -1, not a positive whole number',
  },
  {
    bug: 'countTokens resolves to a fraction',
    plant: (fake) => ({ ...withEveryMember(fake), countTokens: async () => 2.5 }),
    check: 'countTokens returns a non-negative whole number',
    says: 'countTokens returned 2.5',
  },
  {
    bug: 'cleanup throws when the batch was already cleaned up',
    plant: (fake) => {
      const cleaned = new Set<string>();
      return {
        ...withEveryMember(fake),
        async cleanup(reference: ProviderReference) {
          if (cleaned.has(String(reference.id))) throw new Error('No such batch');
          cleaned.add(String(reference.id));
        },
      };
    },
    check: 'cleanup resolves once the results were read',
    says: 'a second cleanup of the same batch (the core may repeat it after a crash) threw: No such batch',
  },
  {
    bug: 'defaultModel is empty',
    plant: (fake) => ({ ...fake, defaultModel: '' }),
    check: 'defaultModel is a non-empty string',
    says: 'defaultModel is "", not a non-empty model name',
  },
  {
    bug: 'complete answers under another id',
    on: 'emulated',
    plant: (provider) => ({ ...provider, complete: async (request, context) => ({ ...(await provider.complete!(request, context)), id: 'other' }) }),
    check: 'complete answers one request',
    says: 'the id of the result complete returned',
  },
  {
    bug: 'waitForRun never resolves',
    on: 'emulated',
    plant: (provider) => ({ ...provider, waitForRun: () => new Promise<void>(() => {}) }),
    check: 'waitForRun resolves once the run of a submitted part has ended',
    says: 'waitForRun had not resolved',
  },
  {
    bug: 'waitForRun resolves before the run has ended',
    on: 'emulated',
    plant: (provider) => ({ ...provider, waitForRun: async () => {} }),
    check: 'waitForRun resolves once the run of a submitted part has ended',
    says: 'after waitForRun resolved',
  },
  {
    bug: 'journalsEachResultOnce: true, but the first result is handed to recordResult twice',
    on: 'emulated',
    plant: (provider) => ({
      ...provider,
      submit(part, context) {
        let first = true;
        return provider.submit(part, {
          ...context,
          async recordResult(result) {
            await context.recordResult(result);
            if (first) await context.recordResult(result);
            first = false;
          },
        });
      },
    }),
    check: 'journalsEachResultOnce',
    says: '2 times',
  },
];

/** The suite run against an adapter made by `make`, fast: the fake answers at once, the local calls in a few ms. */
function conformanceOf(name: string, planted: Planting) {
  // Short: a planted bug that keeps a batch running fails at this deadline, and the adapters need a few ms.
  const common = { name, pollIntervalMs: 1, timeoutMs: 2_000 };
  if (planted.on === 'emulated') {
    const { plant } = planted;
    return checkAdapterConformance({
      ...common,
      createAdapter: () => plant(emulated({ call: localCalls, concurrency: 4, pollIntervalMs: 5 })),
      // A run lives in the process that started it.
      capabilities: { resume: false },
    });
  }
  const backend = createFakeBatchBackend();
  const { plant } = planted;
  return checkAdapterConformance({ ...common, createAdapter: () => plant(fakeBatchProvider({ backend })) });
}

/** The checks of the members an adapter does not declare, which the suite skips. */
const checksOf = (report: { skipped: readonly string[] }) => report.skipped.map((name) => name.split(' ')[0]).sort();

describe('runAdapterConformance catches adapter bugs', () => {
  it('passes the correct adapter the bugs are planted in, on every check but those of the members it lacks', async () => {
    const report = await conformanceOf('fake', { plant: (fake) => fake });
    expect(report.failed).toEqual([]);
    expect(checksOf(report)).toEqual(['cleanup', 'complete', 'countTokens', 'defaultModel', 'journalsEachResultOnce:', 'measure', 'waitForRun']);
    expect(report.passed.length).toBeGreaterThanOrEqual(17);
  });

  it('passes the fake with measure, countTokens and cleanup added, on their checks too', async () => {
    const report = await conformanceOf('fake with every member', { plant: withEveryMember });
    expect(report.failed).toEqual([]);
    expect(checksOf(report)).toEqual(['complete', 'defaultModel', 'journalsEachResultOnce:', 'waitForRun']);
  });

  it('passes the emulated adapter the emulated-only bugs are planted in, on waitForRun and journalsEachResultOnce too', async () => {
    const report = await conformanceOf('emulated', { on: 'emulated', plant: (provider) => provider });
    expect(report.failed).toEqual([]);
    for (const member of ['waitForRun', 'journalsEachResultOnce', 'cleanup', 'pollIntervalMs', 'complete']) {
      expect(report.passed.some((name) => name.startsWith(member))).toBe(true);
    }
    expect(checksOf(report)).toEqual(['countTokens', 'defaultModel', 'find', 'measure', 'preview', 'resumes']);
  });

  it('plants more than eleven distinct bugs', () => {
    expect(new Set(plantedBugs.map((planted) => planted.bug)).size).toBe(plantedBugs.length);
    expect(plantedBugs.length).toBeGreaterThan(11);
  });

  describe.concurrent.each(plantedBugs)('$bug', (planted) => {
    const { bug, check, says } = planted;
    it(`fails "…${check}…", saying "${says}"`, async () => {
      const report = await conformanceOf(bug, planted);
      const caught = report.failed.find((failure) => failure.check.includes(check) && failure.message.includes(says));
      expect(caught, `failures were: ${JSON.stringify(report.failed, null, 2)}`).toBeDefined();
    });
  });
});
