import { setMaxListeners } from 'node:events';
import { isAbortError } from '../errors/abort-error.js';
import { classifyError } from '../errors/classify-error.js';
import { providerFailure } from '../errors/provider-failure.js';
import { isTerminalStatus, partMode, type JobManifest, type PartManifest, type ProviderReference } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { RunEvent } from '../models/run-event.js';
import type { BatchProvider, SubmitContext, SubmitPart } from '../provider/batch-provider.js';
import { budgetOf } from '../cost/cost-extension.js';
import { checkAdapterResult } from './check-adapter-result.js';
import type { ActiveRun, ClientCore } from './client-core.js';
import { partIds, prepareResult, warnMalformed } from './collect-part-results.js';
import { submitFailed, zeroCounts } from './derive-job-state.js';
import { readPartMetadata, withRequestMetadata } from './request-metadata.js';

/*
 * Submitting a part: `planned` → `submitting` (saved before the provider call, so a crash in
 * between is looked up with `find` on resume, never blindly repeated) → `submitted` with the
 * provider's reference; or `failed` with the reason and the next step. An emulated part's run is
 * started and hosted by this client.
 */

/** Options of {@link submitPart}. */
export interface SubmitPartOptions {
  readonly signal: AbortSignal | undefined;
  /** Emulated resume: submit only the requests with no result in the journal yet. */
  readonly pendingOnly: boolean;
  /** Called once an emulated run has ended by itself (not interrupted), to store its part's results. */
  readonly onRunEnded: (jobId: string) => Promise<unknown>;
  /** An emulated part's requests as the run takes them, when not read from the store (a streaming intake). */
  readonly input?: SubmitPart;
}

export async function submitPart(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider, options: SubmitPartOptions): Promise<void> {
  let skip: Set<string> | undefined;
  if (options.pendingOnly) {
    skip = new Set();
    const tallies = zeroCounts(part.requestCount);
    const ids = await partIds(core, job, part);
    for await (const result of core.store.readResults(job.id)) {
      if (!ids.has(result.id) || skip.has(result.id)) continue;
      skip.add(result.id);
      tallies[result.status]++;
      tallies.pending--;
    }
    part.counts = tallies;
  }
  part.submitState = 'submitting';
  part.error = undefined;
  await core.jobs.save(job);
  logPlannedPart(core, job, part, provider);
  if (provider.mode === 'emulated') {
    await startRun(core, job, part, provider, skip, options);
    return;
  }
  let reference: ProviderReference & { id: string };
  try {
    reference = await provider.submit(partInput(core, job, part, skip), submitContext(core, job, part, options.signal));
  } catch (error) {
    const failure = recordSubmitFailure(job, part, provider, error);
    await core.jobs.save(job);
    throw failure;
  }
  attach(part, reference, provider);
  await core.jobs.save(job);
  core.hooks.emitNative({ type: 'part.submitted', jobId: job.id, partId: part.id, provider: provider.name, providerBatchId: reference.id, requestCount: part.requestCount });
}

/** The logger hears of each part as it goes out: the plan, part by part. */
function logPlannedPart(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider): void {
  const model = part.model === undefined ? '' : `, model ${part.model}`;
  const requests = job.intake === 'streaming' ? 'requests as the input is read' : `${part.requestCount} request${part.requestCount === 1 ? '' : 's'}`;
  core.hooks.log('info', `job ${job.id}: submitting part ${part.index + 1} of ${job.parts.length} to ${provider.name} (${provider.mode}): ${requests}${model}`);
}

/**
 * Carries one part of an interrupted job on: a part whose submission failed or never happened is
 * submitted; one caught mid-submission is first looked for at the provider (`find`), so a batch
 * created just before a crash is attached, never created twice; an emulated part's run goes on
 * with the requests that have no result yet. Ended parts and runs of this client are left alone.
 */
export async function resumePart(
  core: ClientCore,
  job: JobManifest,
  part: PartManifest,
  provider: BatchProvider,
  options: Omit<SubmitPartOptions, 'pendingOnly'>,
): Promise<void> {
  if (isTerminalStatus(part.status) && !submitFailed(part)) return;
  if (submitFailed(part)) {
    part.status = 'validating';
    part.error = undefined;
  }
  if (partMode(job, part) === 'emulated') {
    if (!core.activeRuns.has(part.id)) await submitPart(core, job, part, provider, { ...options, pendingOnly: true });
    return;
  }
  if (part.submitState === 'submitted') return;
  if (part.submitState === 'submitting' && provider.find) {
    const input = partInput(core, job, part, undefined);
    const found = await core.withRetry(provider, (signal) => provider.find!(input, submitContext(core, job, part, signal)), options.signal);
    if (found) {
      attach(part, found, provider);
      await core.jobs.save(job);
      return;
    }
  }
  await submitPart(core, job, part, provider, { ...options, pendingOnly: false });
}

/** Marks a part as created at the provider, under `reference`. */
export function attach(part: PartManifest, reference: ProviderReference & { id: string }, provider: BatchProvider): void {
  part.reference = { ...part.reference, ...reference };
  part.providerBatchId = reference.id;
  part.submitState = 'submitted';
  if (provider.mode === 'emulated' && part.status === 'validating') part.status = 'in_progress';
}

/** A part as an adapter sees it: its requests streamed from the store (without `skip`). */
export function partInput(core: ClientCore, job: JobManifest, part: PartManifest, skip: Set<string> | undefined): SubmitPart {
  const store = core.store;
  return {
    jobId: job.id,
    partId: part.id,
    index: part.index,
    ...(part.model === undefined ? {} : { model: part.model }),
    requestCount: part.requestCount - (skip?.size ?? 0),
    // The priority rides along as batch metadata; a `priority` key of the user's own wins.
    metadata: job.priority === undefined ? job.metadata : { priority: job.priority, ...job.metadata },
    ...(job.options?.completionWindow ? { completionWindow: job.options.completionWindow } : {}),
    async *requests() {
      for await (const { request, rejected } of store.readRequests(job.id, part.index)) {
        if (rejected === undefined && !skip?.has(request.id)) yield request;
      }
    },
  };
}

/** What an adapter may do while it submits: checkpoint a partial reference, journal results, spend the budget. */
export function submitContext(core: ClientCore, job: JobManifest, part: PartManifest, signal: AbortSignal | undefined): SubmitContext {
  const budget = budgetOf(job);
  // Read once, on the first result that comes without its request's metadata.
  let requestMetadata: Promise<Map<string, Record<string, unknown>>> | undefined;
  return {
    ...core.callContext(job, signal),
    ...(part.reference ? { previous: { ...part.reference } } : {}),
    ...(budget ? { budget } : {}),
    ...(core.hooks.observeRun ? { observe: core.hooks.observeRun } : {}),
    ...(core.store.appendRunEvents ? { recordRunEvents: (events: readonly RunEvent[]) => core.store.appendRunEvents!(job.id, events) } : {}),
    checkpoint: async (reference: ProviderReference) => {
      part.reference = { ...part.reference, ...reference };
      await core.jobs.save(job);
    },
    recordResult: async (result: BatchResult) => {
      const checked = checkAdapterResult(result, job.provider);
      if (checked.problem !== undefined) warnMalformed(core, job, part, checked.problem);
      if (checked.result === undefined) return;
      let found = checked.result;
      // A part planned with no request metadata (requestsWithMetadata 0) has none to look up.
      if (found.metadata === undefined && part.requestsWithMetadata !== 0) {
        requestMetadata ??= readPartMetadata(core, job, part);
        found = withRequestMetadata(found, await requestMetadata);
      }
      const prepared = prepareResult(job, found);
      await core.store.appendResults(job.id, [prepared]);
      const counts = (part.counts ??= zeroCounts(part.requestCount));
      counts[prepared.status]++;
      counts.pending = Math.max(0, counts.pending - 1);
      await core.hooks.onResult(prepared, job);
    },
  };
}

/**
 * A submission that failed: the part is `failed` with the (redacted) reason and the next step,
 * unless it was interrupted (then it stays as it was, for `resume`). Returns what to throw.
 */
function recordSubmitFailure(job: JobManifest, part: PartManifest, provider: BatchProvider, error: unknown): unknown {
  if (isAbortError(error)) {
    part.error = 'The submission was interrupted';
    return error;
  }
  // The provider's text, classified: redacted (a 401 may echo the key) and without HTML pages.
  const classification = classifyError(error);
  part.status = 'failed';
  part.error = `The submission failed: ${classification.message}. Fix the cause, then resume the job (llm-batch resume ${job.id}) to submit this part again`;
  return providerFailure(error, provider.name, `Job ${job.id}: submitting part ${part.id} failed`);
}

/**
 * Starts an emulated part's run in this client. The run holds the job's lease until it has ended;
 * the part is brought up to date (its results stored) the moment it does, whether or not anyone
 * waits. Closing the client, a lost lease or the submit signal interrupt it.
 */
async function startRun(
  core: ClientCore,
  job: JobManifest,
  part: PartManifest,
  provider: BatchProvider,
  skip: Set<string> | undefined,
  options: SubmitPartOptions,
): Promise<void> {
  const lease = await core.leases.hold(job.id);
  const interrupt = new AbortController();
  const runSignal = options.signal ? AbortSignal.any([interrupt.signal, options.signal]) : interrupt.signal;
  setMaxListeners(0, runSignal);
  let reference: ProviderReference & { id: string };
  try {
    reference = await provider.submit(options.input ?? partInput(core, job, part, skip), submitContext(core, job, part, runSignal));
  } catch (error) {
    const failure = recordSubmitFailure(job, part, provider, error);
    await core.jobs.save(job);
    await core.jobs.release(lease);
    throw failure;
  }
  let markFinished = (): void => {};
  const partFinished = new Promise<void>((resolve) => (markFinished = resolve));
  const run: ActiveRun = { jobId: job.id, interrupt, lease, ended: Promise.resolve(), markFinished };
  core.activeRuns.set(part.id, run);
  attach(part, reference, provider);
  part.counts ??= zeroCounts(part.requestCount);
  await core.jobs.save(job);
  const finished = provider.waitForRun ? provider.waitForRun(reference) : partFinished;
  run.ended = (async () => {
    await Promise.race([finished.catch(() => undefined), partFinished, abortedPromise(runSignal)]);
    if (runSignal.aborted) {
      // Interrupted: what ended is journaled; the rest stays pending for `resume`.
      await finished.catch(() => undefined);
      core.activeRuns.delete(part.id);
      await core.jobs.save(job).catch(() => undefined);
    } else {
      await options.onRunEnded(job.id).catch(() => undefined);
    }
  })().finally(() => core.jobs.release(lease));
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
