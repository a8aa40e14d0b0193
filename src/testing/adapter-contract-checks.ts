import { jobBillings, jobModes } from '../models/batch-job.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { ConformanceCheck, ConformanceSettings } from './adapter-conformance-options.js';
import { ensure, ensureEqual, shown, within } from './conformance-assertions.js';
import {
  callContext,
  conformanceRequests,
  pollUntilTerminal,
  readResults,
  submitDirectly,
  withCleanup,
  withCompletedBatch as completedBatch,
  type DrivenBatch,
} from './drive-adapter.js';
import { reviewResultSet } from './review-result-set.js';

/** A call with an aborted signal must settle (resolve or reject) within this time. */
const abortGraceMs = 1_000;

const requiredMethods = ['submit', 'poll', 'results', 'cancel'] as const;
const optionalMethods = ['find', 'preview', 'measure', 'cleanup', 'countTokens', 'waitForRun'] as const;

/**
 * The checks that call the adapter directly, as the core does, and look at exactly what it hands
 * over: the core repairs malformed results, de-duplicates and fills in missing ones, so a check
 * through the client alone would let those adapter bugs pass.
 */
export function adapterContractChecks(settings: ConformanceSettings): ConformanceCheck[] {
  const everything = (batch: DrivenBatch, read: readonly unknown[]): unknown[] => [...batch.recorded, ...read];

  const withCompletedBatch = (
    adapter: BatchProvider,
    count: number,
    options: { failing?: number },
    work: (batch: DrivenBatch) => Promise<void>,
  ): Promise<void> => completedBatch(adapter, settings, count, options, work);

  return [
    {
      name: 'declares a name, a mode, numeric limits and the contract methods',
      async run() {
        const defects = findDeclarationDefects(await settings.createAdapter());
        ensure(defects.length === 0, `the adapter's declaration: ${defects.join('; ')}`);
      },
    },
    {
      name: 'submit returns a reference with an id, and poll reports known statuses and plausible counts until the batch is terminal',
      async run() {
        const adapter = await settings.createAdapter();
        await withCompletedBatch(adapter, 3, {}, async () => {});
      },
    },
    {
      name: 'hands over one well-formed result per request: no unknown id, no duplicate, none missing',
      async run() {
        const adapter = await settings.createAdapter();
        const failing = settings.capabilities.partialFailure ? 2 : undefined;
        await withCompletedBatch(adapter, 4, failing === undefined ? {} : { failing }, async (batch) => {
          const read = await readResults(adapter, batch.reference, callContext(batch.warnings));
          const ids = batch.requests.map((request) => request.id);
          const review = reviewResultSet(adapter.name, everything(batch, read), ids, { complete: true });
          ensure(review.defects.length === 0, `the results of a completed batch: ${review.defects.join('; ')}`);
          const statuses = ids.map((id) => review.byId.get(id)?.status);
          const expected = ids.map((_, index) => (index === failing ? 'failed' : 'succeeded'));
          ensureEqual(statuses, expected, 'the statuses of the results, in request order');
        });
      },
    },
    {
      name: 'results() hands over the same results when read again (the core re-reads after a crash)',
      async run() {
        const adapter = await settings.createAdapter();
        await withCompletedBatch(adapter, 3, {}, async (batch) => {
          const summary = (read: readonly unknown[]) =>
            read.map((raw) => `${String((raw as { id?: unknown })?.id)}:${String((raw as { status?: unknown })?.status)}`).sort();
          const first = await readResults(adapter, batch.reference, callContext(batch.warnings));
          const second = await readResults(adapter, batch.reference, callContext(batch.warnings));
          ensureEqual(summary(second), summary(first), 'the ids and statuses of a second read of results()');
        });
      },
    },
    {
      name: 'cancel of an ended batch resolves and leaves it ended',
      async run() {
        const adapter = await settings.createAdapter();
        await withCompletedBatch(adapter, 2, {}, async (batch) => {
          try {
            await adapter.cancel(batch.reference, callContext(batch.warnings));
          } catch (error) {
            throw new Error(`cancel of a completed batch threw: ${(error as Error)?.message ?? shown(error)}`, { cause: error });
          }
          const after = await adapter.poll(batch.reference, callContext(batch.warnings));
          ensure(
            after?.status === 'completed',
            `poll reports "${String(after?.status)}" for a batch that had completed and was then cancelled: an ended batch must stay as it ended, with its results`,
          );
        });
      },
    },
    {
      name: 'a cancelled batch reaches a terminal status and its results are well formed',
      needs: 'cancel',
      async run() {
        const adapter = await settings.createAdapter();
        const batch = await submitDirectly(adapter, settings, conformanceRequests(settings, 20));
        await withCleanup(adapter, batch, async () => {
          await adapter.cancel(batch.reference, callContext(batch.warnings));
          const polled = await pollUntilTerminal(adapter, settings, batch);
          const read = await readResults(adapter, batch.reference, callContext(batch.warnings));
          const ids = batch.requests.map((request) => request.id);
          const review = reviewResultSet(adapter.name, everything(batch, read), ids, { complete: polled.status === 'completed' });
          ensure(review.defects.length === 0, `the results of a batch cancelled (ended "${polled.status}"): ${review.defects.join('; ')}`);
        });
      },
    },
    {
      name: 'a call made with an aborted signal settles promptly',
      async run() {
        const adapter = await settings.createAdapter();
        await withCompletedBatch(adapter, 2, {}, async (batch) => {
          const aborted = AbortSignal.abort();
          // Settled either way: rejecting is the expected answer, resolving at once is fine too.
          const settle = (call: () => Promise<unknown>) => Promise.resolve().then(call).then(() => undefined, () => undefined);
          await within(
            settle(() => adapter.poll(batch.reference, callContext(batch.warnings, aborted))),
            abortGraceMs,
            `poll called with an aborted signal had not settled after ${abortGraceMs} ms: pass the signal to every call that waits`,
          );
          await within(
            settle(() => readResults(adapter, batch.reference, callContext(batch.warnings, aborted))),
            abortGraceMs,
            `results() read with an aborted signal had not settled after ${abortGraceMs} ms: pass the signal to every call that waits`,
          );
        });
      },
    },
  ];
}

/** What is wrong with the adapter's declared members, in words. */
function findDeclarationDefects(adapter: BatchProvider): string[] {
  const defects: string[] = [];
  const members = adapter as unknown as Record<string, unknown>;
  if (typeof adapter.name !== 'string' || adapter.name.trim() === '') defects.push(`name is ${shown(adapter.name)}, not a non-empty string`);
  if (!(jobModes as readonly unknown[]).includes(adapter.mode)) defects.push(`mode is ${shown(adapter.mode)}, not one of ${jobModes.join(', ')}`);
  const limits = adapter.limits as unknown as Record<string, unknown> | undefined;
  if (typeof limits !== 'object' || limits === null) {
    defects.push(`limits is ${shown(limits)}, not an object`);
  } else {
    for (const key of ['maxRequests', 'maxBytes'] as const) {
      const value = limits[key];
      // Infinity is a limit too: an emulated adapter has none.
      if (typeof value !== 'number' || !(value >= 1) || (Number.isFinite(value) && !Number.isInteger(value))) {
        defects.push(`limits.${key} is ${shown(value)}, not a whole number of at least 1 (or Infinity)`);
      }
    }
    if (typeof limits['oneModelPerPart'] !== 'boolean') defects.push(`limits.oneModelPerPart is ${shown(limits['oneModelPerPart'])}, not a boolean`);
    if (limits['idPattern'] !== undefined && !(limits['idPattern'] instanceof RegExp)) {
      defects.push(`limits.idPattern is ${shown(limits['idPattern'])}, not a RegExp`);
    }
  }
  for (const method of requiredMethods) {
    if (typeof members[method] !== 'function') defects.push(`${method} is ${shown(members[method])}, not a function`);
  }
  for (const method of optionalMethods) {
    if (members[method] !== undefined && typeof members[method] !== 'function') defects.push(`${method} is set but not a function`);
  }
  // pollIntervalMs has a check of its own (optional-member-checks.ts).
  const journals = members['journalsEachResultOnce'];
  if (journals !== undefined && typeof journals !== 'boolean') defects.push(`journalsEachResultOnce is ${shown(journals)}, not a boolean`);
  const billing = members['billing'];
  if (billing !== undefined && !(jobBillings as readonly unknown[]).includes(billing)) defects.push(`billing is ${shown(billing)}, not one of ${jobBillings.join(', ')}`);
  return defects;
}
