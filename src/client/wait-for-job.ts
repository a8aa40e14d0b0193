import { throwIfAborted } from '../errors/abort-error.js';
import { JobLeasedError } from '../errors/job-leased-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { isTerminalStatus, partMode, type JobManifest } from '../models/batch-job.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { delay } from '../retry/delay.js';
import type { JobLease } from '../store/batch-store.js';
import type { WaitOptions } from './batch-client-options.js';
import type { ClientCore } from './client-core.js';
import { hasEnded, submitFailed } from './derive-job-state.js';
import { isLeaseRef, type LeaseRef } from './job-leases.js';
import { toPublicJob } from './to-public-job.js';

/** What `wait` needs of its client. */
export interface WaitContext {
  readonly core: ClientCore;
  readonly provider: BatchProvider;
  /** The client's `status`: polls and stores, holding the lease. */
  readonly status: (jobId: string, options: { signal?: AbortSignal }) => Promise<JobManifest>;
  readonly pollIntervalMs: number | undefined;
  readonly maxPollIntervalMs: number;
}

/**
 * Polls until the job has ended and its results are stored, holding the job's lease from the first
 * poll this client may drive; while another client drives the job, follows what that client stores
 * (and takes over when it goes away). `timeoutMs` bounds the whole wait, status calls included.
 */
export async function waitForJob(context: WaitContext, jobId: string, options: WaitOptions): Promise<JobManifest> {
  const { core, provider } = context;
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  let current = await core.jobs.snapshot(jobId);
  let interval = options.pollIntervalMs ?? context.pollIntervalMs ?? provider.pollIntervalMs ?? (current.parts.some((part) => partMode(current, part) === 'emulated') ? 200 : 5_000);
  const timedOut = (): LlmBatchError =>
    new LlmBatchError(`Job ${jobId} is still ${current.status} after waiting ${options.timeoutMs} ms`, { code: 'wait_timeout' });
  if (hasEnded(current)) {
    options.onProgress?.(toPublicJob(current));
    return current;
  }
  let lease: LeaseRef | undefined;
  /** The parts whose `waitForRun` ended the last pause. */
  let awaited: readonly string[] = [];
  let trustWaitForRun = true;
  try {
    while (true) {
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      if (remaining !== undefined && remaining <= 0) throw timedOut();
      if (lease === undefined) {
        const attempt = await core.leases.tryHold(jobId);
        if (isLeaseRef(attempt)) lease = attempt;
      }
      if (lease !== undefined) {
        if (lease.lost.aborted) throw new JobLeasedError(jobId, (await core.store.readLease(jobId)) ?? unknownHolder());
        current = await statusWithin(context, jobId, options.signal, remaining, timedOut);
        options.onProgress?.(toPublicJob(current));
        if (hasEnded(current)) return current;
        // A signal that arrived during the poll has interrupted this client's run: that is an abort,
        // not a run gone missing.
        throwIfAborted(options.signal);
        if (stuckPart(core, current) !== undefined) {
          // A run that ended while this poll was returning has left the active runs already, and its
          // part is terminal in a newer copy: look once more before calling the job stuck.
          current = await statusWithin(context, jobId, options.signal, deadline === undefined ? undefined : deadline - Date.now(), timedOut);
          if (hasEnded(current)) return current;
          const stuck = stuckPart(core, current);
          if (stuck) throw stuck;
        }
      } else {
        // Another client drives the job: follow what it stores.
        current = await core.jobs.snapshot(jobId);
        options.onProgress?.(toPublicJob(current));
        if (hasEnded(current)) return current;
      }
      const left = deadline === undefined ? Infinity : deadline - Date.now();
      if (left <= 0) throw timedOut();
      // waitForRun resolved, yet the next poll finds the run going: the adapter breaks its contract,
      // and relying on it would poll without a pause (and starve the timers). Pause by the clock.
      if (current.parts.some((part) => awaited.includes(part.id) && !isTerminalStatus(part.status))) trustWaitForRun = false;
      // Jitter keeps many waiting clients from polling in lockstep.
      awaited = await pollPause(
        Math.min(left, interval * (0.9 + Math.random() * 0.2)),
        trustWaitForRun ? provider : undefined,
        current,
        options.signal,
      );
      interval = nextInterval(interval, current, context.maxPollIntervalMs);
    }
  } finally {
    if (lease !== undefined) await core.jobs.release(lease);
  }
}

/** A mixed job's native parts are polled no more often than every 2 s while an emulated part runs. */
const mixedPollCapMs = 2_000;

/**
 * The next interval between polls: it grows while native parts run (a provider batch takes
 * minutes); an emulated run's results are journaled as they come, so while one runs the growth
 * stops at {@link mixedPollCapMs} and `wait` returns soon after it ends.
 */
function nextInterval(interval: number, job: JobManifest, maxPollIntervalMs: number): number {
  const running = job.parts.filter((part) => !isTerminalStatus(part.status));
  if (!running.some((part) => partMode(job, part) === 'native')) return interval;
  if (!running.some((part) => partMode(job, part) === 'emulated')) return Math.min(interval * 1.5, maxPollIntervalMs);
  return Math.max(interval, Math.min(interval * 1.5, maxPollIntervalMs, mixedPollCapMs));
}

/** `status` bounded by the time left: a hanging status call cannot outlast the deadline. */
async function statusWithin(
  context: WaitContext,
  jobId: string,
  signal: AbortSignal | undefined,
  remainingMs: number | undefined,
  onTimeout: () => Error,
): Promise<JobManifest> {
  if (remainingMs === undefined) return context.status(jobId, signal ? { signal } : {});
  const timer = AbortSignal.timeout(Math.max(1, Math.ceil(remainingMs)));
  const bounded = signal ? AbortSignal.any([signal, timer]) : timer;
  try {
    return await context.status(jobId, { signal: bounded });
  } catch (error) {
    if (timer.aborted && !signal?.aborted) throw onTimeout();
    throw error;
  }
}

/** Why a job this client drives cannot end by waiting: a part never submitted, or a run that is gone. */
export function stuckPart(core: ClientCore, job: JobManifest): LlmBatchError | undefined {
  for (const part of job.parts) {
    if (submitFailed(part)) {
      return new LlmBatchError(`Job ${job.id}: part ${part.id}: ${part.error ?? 'the submission failed'}`, { code: 'job_interrupted' });
    }
    if (isTerminalStatus(part.status)) continue;
    if (part.submitState !== 'submitted') {
      return new LlmBatchError(
        `Job ${job.id}: part ${part.id} was never submitted${part.error ? ` (${part.error})` : ''}; call resume("${job.id}")`,
        { code: 'job_interrupted' },
      );
    }
    if (partMode(job, part) === 'emulated' && !core.activeRuns.has(part.id)) {
      return new LlmBatchError(
        `Job ${job.id} runs in emulated mode and its run is not in this process (it was interrupted); call resume("${job.id}") to continue it`,
        { code: 'job_interrupted' },
      );
    }
  }
  return undefined;
}

/**
 * The pause between two polls. An adapter whose runs live in this process says when a run has
 * ended (`waitForRun`), so `wait` returns the moment the last result is journaled instead of up to
 * a poll interval later. Resolves with the ids of the parts whose runs ended the pause (none when
 * the time did).
 */
async function pollPause(
  milliseconds: number,
  provider: BatchProvider | undefined,
  job: JobManifest,
  signal: AbortSignal | undefined,
): Promise<readonly string[]> {
  // Only the client's own adapter's runs: a part of a mixed job on another provider is not its to await.
  const running = job.parts.filter((part) => part.provider === undefined && part.reference !== undefined && !isTerminalStatus(part.status));
  if (provider?.waitForRun === undefined || running.length === 0) {
    await delay(milliseconds, { signal });
    return [];
  }
  const timer = new AbortController();
  const stopTimer = (): void => timer.abort();
  signal?.addEventListener('abort', stopTimer, { once: true });
  const ended = Promise.all(running.map((part) => provider.waitForRun!(part.reference!))).then(() => running.map((part) => part.id));
  try {
    const endedBy = await Promise.race([
      delay(milliseconds, { signal: timer.signal }).then(
        () => [],
        () => [],
      ),
      ended.catch(() => []),
    ]);
    throwIfAborted(signal);
    return endedBy;
  } finally {
    timer.abort();
    signal?.removeEventListener('abort', stopTimer);
  }
}

function unknownHolder(): JobLease {
  const now = new Date().toISOString();
  return { holder: { id: 'unknown', host: 'unknown', pid: 0 }, acquiredAt: now, expiresAt: now };
}
