import { redactSecrets } from '../errors/classify-error.js';
import { createSecretRedactor } from '../errors/redact-secrets.js';
import { isTerminalStatus, partMode, type JobManifest, type PartManifest } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchProvider, PollResult } from '../provider/batch-provider.js';
import { checkAdapterResult } from './check-adapter-result.js';
import type { ClientCore } from './client-core.js';
import { clientExtensions } from './client-extensions.js';
import { partCountsFromReport, submitFailed, zeroCounts } from './derive-job-state.js';
import { readPartRequestIndex, withRequestMetadata } from './request-metadata.js';
import { synthesizeMissingResult } from './synthesize-missing-result.js';
import { withKey } from '../models/with-key.js';

/*
 * A part's results: polling a running part, reading an ended part's results into the journal
 * exactly once per request (reconciling them with its requests), and preparing each result
 * (checked, extended, redacted) before it is stored.
 */

/**
 * Brings a part up to date: polls it while it runs (an emulated part only while its run lives in
 * this client), and once it has ended reads its results into the journal.
 */
export async function refreshPart(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
  if (isTerminalStatus(part.status) && part.resultsStored) return;
  // A failed submission has no results to read: `resume` submits it again.
  if (submitFailed(part)) return;
  if (!isTerminalStatus(part.status)) {
    const reference = part.reference;
    if (part.submitState !== 'submitted' || !reference) return;
    if (partMode(job, part) === 'emulated' && !core.activeRuns.has(part.id)) return;
    const polled = await core.withRetry(provider, (retrySignal) => provider.poll(reference, core.callContext(job, retrySignal)), signal);
    part.status = polled.status;
    if (polled.rawStatus !== undefined) part.rawStatus = polled.rawStatus;
    if (polled.usage) part.usage = polled.usage;
    if (polled.error !== undefined) part.error = polled.error;
    if (polled.reference) part.reference = { ...part.reference, ...polled.reference };
    // Emulated parts count what they journal; native ones take the provider's numbers.
    if (partMode(job, part) === 'native') {
      const counts = partCountsFromReport(part.requestCount, polled.counts);
      if (counts) part.counts = counts;
      emitPolled(core, job, part, polled);
    }
  }
  if (isTerminalStatus(part.status) && !part.resultsStored) await collectPartResults(core, job, part, provider, signal);
}

function collectPartResults(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
  let pending = core.collecting.get(part.id);
  if (!pending) {
    pending = storePartResults(core, job, part, provider, signal).finally(() => core.collecting.delete(part.id));
    core.collecting.set(part.id, pending);
  }
  return pending;
}

/**
 * Reads a terminal part's results into the journal exactly once per request: results already
 * journaled (an emulated run, or a crash mid-read) are not written again, unknown ids are
 * reported, and every request with no result gets one, so nothing is ever dropped.
 */
async function storePartResults(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
  if (everyResultJournaledLive(core, job, part, provider)) {
    await finishPart(core, job, part, provider, signal);
    return;
  }
  const { ids, metadata } = await readPartRequestIndex(core, job, part);
  // An attached batch whose requests are unknown takes every id its provider returns.
  const open = part.requestsUnknown === true;
  const stored = new Set<string>();
  const tallies = zeroCounts(part.requestCount);
  const count = (result: BatchResult): void => {
    stored.add(result.id);
    tallies[result.status]++;
    tallies.pending--;
  };
  for await (const result of core.store.readResults(job.id)) {
    if ((open || ids.has(result.id)) && !stored.has(result.id)) count(result);
  }
  const reference = part.reference;
  // One read of the environment for the whole part: its results carry the same few messages.
  const redact = createSecretRedactor();
  let read = 0;
  let synthesized = 0;
  if (reference && part.submitState === 'submitted') {
    await core.withRetry(provider, async (retrySignal) => {
      const context = core.callContext(job, retrySignal);
      let buffer: BatchResult[] = [];
      const unknownIds: string[] = [];
      try {
        for await (const raw of provider.results(reference, context)) {
          // The adapter's results are checked before anything trusts them: a malformed one is a
          // failed item naming the defect, one with no usable id a warning.
          const checked = checkAdapterResult(raw, provider.name);
          if (checked.problem !== undefined) warnMalformed(core, job, part, checked.problem);
          if (checked.result === undefined) continue;
          if (!ids.has(checked.result.id)) {
            if (!open) {
              unknownIds.push(checked.result.id);
              continue;
            }
            ids.add(checked.result.id);
          }
          if (stored.has(checked.result.id)) continue;
          const result = prepareResult(job, withRequestMetadata(checked.result, metadata), redact);
          count(result);
          buffer.push(result);
          if (buffer.length >= 1_000) {
            await core.store.appendResults(job.id, buffer);
            read += await notifyStored(core, job, part, buffer);
            buffer = [];
          }
        }
      } finally {
        // Results counted as stored must be in the journal even when the download breaks off:
        // the retry skips them, so an unwritten buffer would be lost for good.
        await core.store.appendResults(job.id, buffer);
        read += await notifyStored(core, job, part, buffer);
        if (unknownIds.length > 0) {
          const shown = unknownIds.slice(0, 5).map((id) => `"${id}"`).join(', ');
          const more = unknownIds.length > 5 ? ` and ${unknownIds.length - 5} more` : '';
          context.warn(
            `Part ${part.id}: the provider returned ${unknownIds.length} result(s) for unknown id(s) ${shown}${more}; they were ignored`,
          );
        }
      }
    }, signal);
  }
  let missing: BatchResult[] = [];
  for (const id of ids) {
    if (stored.has(id)) continue;
    // Through the extensions too: items a budget stop never started get category `budget`.
    const result = prepareResult(job, withRequestMetadata(synthesizeMissingResult(id, part, partMode(job, part)), metadata), redact);
    count(result);
    missing.push(result);
    if (missing.length >= 1_000) {
      await core.store.appendResults(job.id, missing);
      synthesized += await notifyStored(core, job, part, missing);
      missing = [];
    }
  }
  await core.store.appendResults(job.id, missing);
  synthesized += await notifyStored(core, job, part, missing);
  if (partMode(job, part) === 'native') core.hooks.emitNative({ type: 'results.read', jobId: job.id, partId: part.id, read, missing: synthesized });
  part.counts = tallies;
  await finishPart(core, job, part, provider, signal);
}

/**
 * True when an emulated run in this process journaled a result for every request of the part:
 * its counts, kept by `recordResult` from the journal on resume onwards, have nothing pending. The
 * adapter hands each request exactly one terminal result, so the reconciling read of the requests and
 * the journal would find nothing to add.
 */
function everyResultJournaledLive(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider): boolean {
  if (partMode(job, part) !== 'emulated' || !core.activeRuns.has(part.id) || part.counts === undefined) return false;
  // Only our own emulated adapter promises one result per request; others are reconciled.
  if (provider.journalsEachResultOnce !== true) return false;
  const { succeeded, failed, cancelled, expired, pending } = part.counts;
  return pending === 0 && succeeded + failed + cancelled + expired === part.requestCount;
}

async function finishPart(core: ClientCore, job: JobManifest, part: PartManifest, provider: BatchProvider, signal?: AbortSignal): Promise<void> {
  const reference = part.reference;
  part.resultsStored = true;
  core.activeRuns.get(part.id)?.markFinished();
  core.activeRuns.delete(part.id);
  await core.jobs.save(job);
  if (reference && provider.cleanup) {
    await provider.cleanup(reference, core.callContext(job, signal)).catch((error: unknown) => {
      core.callContext(job, signal).warn(`Part ${part.id}: clean-up failed: ${(error as Error).message}`);
    });
  }
}

/** A native part's poll, to the observers: its status and counts, and its end once terminal. */
function emitPolled(core: ClientCore, job: JobManifest, part: PartManifest, polled: PollResult): void {
  const base = { jobId: job.id, partId: part.id };
  core.hooks.emitNative({
    type: 'part.polled',
    ...base,
    status: polled.status,
    ...(polled.rawStatus === undefined ? {} : { rawStatus: polled.rawStatus }),
    ...(polled.counts === undefined ? {} : { counts: polled.counts }),
  });
  if (isTerminalStatus(polled.status)) {
    core.hooks.emitNative({ type: 'part.ended', ...base, status: polled.status, ...(polled.error === undefined ? {} : { error: polled.error }) });
  }
}

/**
 * Results just journaled, to `onResult` and (native parts) the observers' `item.result`, in the
 * order they were stored. Returns how many.
 */
async function notifyStored(core: ClientCore, job: JobManifest, part: PartManifest, results: readonly BatchResult[]): Promise<number> {
  for (const result of results) {
    if (partMode(job, part) === 'native') {
      const error = result.status === 'succeeded' ? undefined : result.error;
      core.hooks.emitNative({ type: 'item.result', jobId: job.id, partId: part.id, id: result.id, status: result.status, ...(error === undefined ? {} : { error }) });
    }
    if (core.hooks.hasOnResult) await core.hooks.onResult(result, job);
  }
  return results.length;
}

/** A malformed adapter result, as a job warning: the first few per part, then one count. */
export function warnMalformed(core: ClientCore, job: JobManifest, part: PartManifest, problem: string): void {
  const seen = (core.malformedCounts.get(part.id) ?? 0) + 1;
  core.malformedCounts.set(part.id, seen);
  if (seen <= 5) core.callContext(job, undefined).warn(`Part ${part.id}: ${problem}`);
  else if (seen === 6) core.callContext(job, undefined).warn(`Part ${part.id}: more malformed results from the adapter; see the failed items`);
}

/**
 * Runs a result through the client extensions and the one redaction path, before it is stored.
 * `redact` is `redactSecrets`, or a redactor made once for a loop over many results.
 */
export function prepareResult(job: JobManifest, result: BatchResult, redact: (text: string) => string = redactSecrets): BatchResult {
  // When it ended, for the progress over time of a job that already ended (the viewer draws it).
  // withKey, not a spread that adds a key: see there (about 2 µs a result).
  let prepared: BatchResult = result.finishedAt === undefined ? withKey(result, 'finishedAt', Date.now()) : result;
  for (const extension of clientExtensions) {
    if (extension.prepareResult) prepared = extension.prepareResult(prepared, job);
  }
  // The one redaction path, before anything reaches the store: provider errors echo keys.
  if (prepared.status !== 'succeeded') {
    if (typeof prepared.error?.message === 'string') {
      const message = redact(prepared.error.message);
      if (message !== prepared.error.message) prepared = { ...prepared, error: { ...prepared.error, message } };
    }
    if (prepared.status === 'failed' && prepared.raw !== undefined) {
      const raw = JSON.stringify(prepared.raw);
      const redacted = raw === undefined ? undefined : redact(raw);
      if (redacted !== undefined && redacted !== raw) prepared = { ...prepared, raw: JSON.parse(redacted) as unknown };
    }
  }
  return prepared;
}

export async function partIds(core: ClientCore, job: JobManifest, part: PartManifest): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const { request } of core.store.readRequests(job.id, part.index)) ids.add(request.id);
  return ids;
}

