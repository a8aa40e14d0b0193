// The checks of the optional members of `BatchProvider`. Each one runs only when the adapter has the
// member it checks; otherwise it throws `ConformanceCheckSkipped` and is reported skipped.
import { isTerminalStatus, type JobStatus } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { ConformanceCheck, ConformanceSettings } from './adapter-conformance-options.js';
import { ConformanceCheckSkipped, ensure, ensureEqual, shown, skipUnlessDeclared, within } from './conformance-assertions.js';
import {
  callContext,
  conformancePart,
  conformanceRequests,
  findPollDefect,
  pollUntilTerminal,
  readResults,
  submitDirectly,
  withCleanup,
  withCompletedBatch,
} from './drive-adapter.js';

export function optionalMemberChecks(settings: ConformanceSettings): ConformanceCheck[] {
  /** A request no other check uses, for the members that look at one request. */
  const oneRequest = (): BatchRequest => conformanceRequests(settings, 1)[0]!;

  return [
    {
      name: 'find returns the batch of its own part, and nothing for a part that was never submitted',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'find');
        await withCompletedBatch(adapter, settings, 3, {}, async (batch) => {
          const submitContext = (previous?: Record<string, unknown>) => ({
            ...callContext(batch.warnings),
            ...(previous ? { previous } : {}),
            checkpoint: async () => {},
            recordResult: async () => {},
          });
          const found = await adapter.find!(batch.part, submitContext(batch.checkpoint));
          ensureEqual(found?.id, batch.reference.id, 'the id find returned for the part that created the batch');
          // Another count than any batch of the suite: adapters that match by count cannot mistake it.
          const other = conformancePart(adapter, settings, conformanceRequests(settings, 7));
          const stranger = await adapter.find!(other, submitContext());
          ensure(
            stranger === undefined,
            `find returned batch ${shown(stranger?.id)} for part ${other.partId}, which was never submitted (the batch belongs to ${batch.part.partId})`,
          );
        });
      },
    },
    {
      name: 'preview returns the provider body of a request at once, without throwing and without a network call',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'preview');
        const body = withoutNetwork('preview', () => adapter.preview!(oneRequest()));
        ensure(body !== undefined, 'preview returned undefined, not the provider body of the request');
        ensure(!isThenable(body), 'preview returned a promise: dry runs show its answer as it is, so it must return the body itself');
      },
    },
    {
      name: 'measure returns the size of a request as a positive whole number of bytes',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'measure');
        const size: unknown = withoutNetwork('measure', () => adapter.measure!(oneRequest()));
        ensure(
          typeof size === 'number' && Number.isInteger(size) && size > 0,
          `measure returned ${shown(size)}, not a positive whole number of bytes (the planner splits parts by it)`,
        );
      },
    },
    {
      name: 'countTokens returns a non-negative whole number of tokens, at once or as a promise, without a network call',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'countTokens');
        const counting = withoutNetwork('countTokens', () => adapter.countTokens!(oneRequest()));
        const counted: unknown = await Promise.resolve(counting).catch((error: unknown) => {
          throw new Error(`countTokens rejected: ${(error as Error)?.message ?? shown(error)}`, { cause: error });
        });
        ensure(
          typeof counted === 'number' && Number.isInteger(counted) && counted >= 0,
          `countTokens returned ${shown(counted)}, not a non-negative whole number of tokens`,
        );
      },
    },
    {
      name: 'cleanup resolves once the results were read, and a second cleanup of the same batch does not throw',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'cleanup');
        await withCompletedBatch(adapter, settings, 2, {}, async (batch) => {
          await readResults(adapter, batch.reference, callContext(batch.warnings));
          for (const which of ['cleanup after the results were read', 'a second cleanup of the same batch (the core may repeat it after a crash)']) {
            try {
              await adapter.cleanup!(batch.reference, callContext(batch.warnings));
            } catch (error) {
              throw new Error(`${which} threw: ${(error as Error)?.message ?? shown(error)}`, { cause: error });
            }
          }
        });
      },
    },
    {
      name: 'pollIntervalMs is a finite number of at least 1',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'pollIntervalMs');
        const interval: unknown = adapter.pollIntervalMs;
        ensure(
          typeof interval === 'number' && Number.isFinite(interval) && interval >= 1,
          `pollIntervalMs is ${shown(interval)}, not a finite number of milliseconds of at least 1`,
        );
      },
    },
    {
      name: 'waitForRun resolves once the run of a submitted part has ended, and poll then reports a terminal status',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'waitForRun');
        const batch = await submitDirectly(adapter, settings, conformanceRequests(settings, 3));
        await withCleanup(adapter, batch, async () => {
          await within(
            Promise.resolve().then(() => adapter.waitForRun!(batch.reference)),
            settings.deadlineMs,
            `waitForRun had not resolved ${settings.deadlineMs} ms after submit: it must resolve once the run has ended`,
          );
          const polled: unknown = await adapter.poll(batch.reference, callContext(batch.warnings));
          const defect = findPollDefect(polled, batch.requests.length);
          ensure(defect === undefined, defect ?? '');
          const status = (polled as { status: JobStatus }).status;
          ensure(isTerminalStatus(status), `poll reports "${status}" after waitForRun resolved: it must resolve only once the run has ended`);
          if (adapter.mode !== 'emulated') return;
          const recorded = new Set(batch.recorded.map((raw) => (raw as { id?: unknown } | null)?.id));
          const missing = batch.requests.map((request) => request.id).filter((id) => !recorded.has(id));
          ensure(
            missing.length === 0,
            `waitForRun resolved before a result for ${missing.map((id) => `"${id}"`).join(', ')} was handed to recordResult: the client stores the part's results as soon as it resolves`,
          );
        });
      },
    },
    {
      name: 'defaultModel is a non-empty string',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'defaultModel');
        const model: unknown = adapter.defaultModel;
        ensure(typeof model === 'string' && model !== '', `defaultModel is ${shown(model)}, not a non-empty model name (the planner stores it in requests that name none)`);
      },
    },
    {
      name: 'complete answers one request with one terminal result under its id',
      async run() {
        const adapter = await settings.createAdapter();
        skipUnlessDeclared(adapter, 'complete');
        const request = oneRequest();
        const warnings: string[] = [];
        const result: unknown = await within(
          Promise.resolve().then(() => adapter.complete!(request, callContext(warnings))),
          settings.deadlineMs,
          `complete had not answered ${settings.deadlineMs} ms after it was called`,
        );
        const { id, status } = (result ?? {}) as { id?: unknown; status?: unknown };
        ensureEqual(id, request.id, 'the id of the result complete returned');
        ensure(
          status === 'succeeded' || status === 'failed' || status === 'cancelled' || status === 'expired',
          `complete returned a result with status ${shown(status)}, not a terminal item status (a failure is a value, not a throw)`,
        );
      },
    },
    {
      name: 'journalsEachResultOnce: recordResult gets exactly one result per request of a run',
      async run() {
        const adapter = await settings.createAdapter();
        if (adapter.journalsEachResultOnce !== true) throw new ConformanceCheckSkipped('the adapter does not declare journalsEachResultOnce: true');
        const failing = settings.capabilities.partialFailure ? 1 : undefined;
        const batch = await submitDirectly(adapter, settings, conformanceRequests(settings, 5, failing === undefined ? {} : { failing }));
        await withCleanup(adapter, batch, async () => {
          await pollUntilTerminal(adapter, settings, batch);
          const times = new Map<unknown, number>(batch.requests.map((request) => [request.id, 0]));
          const unknown: unknown[] = [];
          for (const raw of batch.recorded) {
            const id = (raw as { id?: unknown } | null)?.id;
            if (times.has(id)) times.set(id, times.get(id)! + 1);
            else unknown.push(id);
          }
          const wrong = [...times].filter(([, count]) => count !== 1).map(([id, count]) => `"${String(id)}" ${count} times`);
          if (unknown.length > 0) wrong.push(`ids outside the run: ${unknown.map((id) => shown(id)).join(', ')}`);
          ensure(
            wrong.length === 0,
            `recordResult was not called exactly once per request (${wrong.join('; ')}), yet the adapter declares journalsEachResultOnce: true and the client trusts the counts it kept`,
          );
        });
      },
    },
  ];
}

/**
 * Calls `call` with `globalThis.fetch` replaced by one that refuses and remembers what was asked.
 * The trap lives only during the synchronous call, so no other code in the process can trip it;
 * a client that captured `fetch` earlier (or uses `node:http`) gets past it.
 */
function withoutNetwork<T>(member: string, call: () => T): T {
  const original = globalThis.fetch;
  let fetched: string | undefined;
  globalThis.fetch = ((input: string | URL | Request) => {
    fetched ??= input instanceof Request ? input.url : String(input);
    return Promise.reject(new Error(`${member} must not call the network`));
  }) as typeof fetch;
  let result: T;
  try {
    result = call();
  } catch (error) {
    throw new Error(`${member} threw: ${(error as Error)?.message ?? shown(error)}`, { cause: error });
  } finally {
    globalThis.fetch = original;
  }
  ensure(fetched === undefined, `${member} called the network (fetch of ${fetched}): it must answer from the request alone`);
  return result;
}

function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
