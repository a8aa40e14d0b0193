import type { JobManifest } from '../models/batch-job.js';
import type { BatchProvider, ProviderCallContext } from '../provider/batch-provider.js';
import { providerFailure } from '../errors/provider-failure.js';
import type { RetryStrategy } from '../retry/retry-strategy.js';
import { runWithRetry } from '../retry/run-with-retry.js';
import type { BatchStore } from '../store/batch-store.js';
import type { JobLeases, LeaseRef } from './job-leases.js';
import type { LiveJobs } from './live-jobs.js';
import { createClientHooks, noClientHooks, type ClientHooks, type ClientHooksOptions } from './client-observers.js';

/** An emulated run of this client: its interrupt switch and its hold on the job's lease. */
export interface ActiveRun {
  readonly jobId: string;
  readonly interrupt: AbortController;
  readonly lease: LeaseRef;
  /** Settles once the run has ended and its lease hold is released. */
  ended: Promise<void>;
  /** Called when the part's results are stored (for adapters that cannot say when a run ends). */
  readonly markFinished: () => void;
}

/**
 * What the parts of a client share: its store, leases and live jobs, the emulated runs it hosts,
 * the result collections under way, and the retry of idempotent provider calls.
 */
export class ClientCore {
  /** Emulated parts whose run lives in this client, by part id. */
  readonly activeRuns = new Map<string, ActiveRun>();
  /** Result collection in flight per part, so two callers never store a part's results twice. */
  readonly collecting = new Map<string, Promise<void>>();
  /** Malformed adapter results seen per part, to cap their warnings. */
  readonly malformedCounts = new Map<string, number>();
  /** The client's observers, `onResult` and logger. */
  hooks: ClientHooks = noClientHooks;

  constructor(
    readonly store: BatchStore,
    readonly leases: JobLeases,
    readonly jobs: LiveJobs,
    private readonly retryStrategy: RetryStrategy,
  ) {}

  /** The context of one provider call: its signal, and warnings that land on the job. */
  callContext(job: JobManifest, signal: AbortSignal | undefined): ProviderCallContext {
    return {
      ...(signal ? { signal } : {}),
      warn: (message) => {
        if (!job.warnings.includes(message)) job.warnings.push(message);
      },
    };
  }

  /**
   * Runs an idempotent provider call (status, results, cancel, find) with the client's retries. A
   * failure is rethrown as an `ApiCallError` without the SDK's error, which may hold the key.
   */
  withRetry<T>(provider: BatchProvider, operation: (signal: AbortSignal | undefined) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return runWithRetry((_attempt, retrySignal) => operation(retrySignal), {
      strategy: this.retryStrategy,
      ...(signal ? { signal } : {}),
      ...(provider.classifyError ? { classify: (error: unknown) => provider.classifyError!(error) } : {}),
      onRetry: (event) => {
        const { category, message } = event.classification;
        this.hooks.log('warn', `${provider.name} call failed (attempt ${event.attempt}, ${category}: ${message}); retrying in ${Math.round(event.delayMs)} ms`);
      },
    }).catch((error: unknown) => {
      throw providerFailure(error, provider.name, `The ${provider.name} provider call failed`);
    });
  }
}

/** Gives `core` the client's observers, `onResult` and logger (an `onResult` that throws becomes a job warning). */
export function withClientHooks(core: ClientCore, options: ClientHooksOptions): ClientCore {
  core.hooks = createClientHooks(options, (job, message) => core.callContext(job, undefined).warn(message));
  return core;
}
