import { defaultBilling, type JobManifest } from '../models/batch-job.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore } from '../store/batch-store.js';
import type { SubmitOptions } from './batch-client-options.js';
import type { PlanningObserver } from '../extension/client-extension.js';
import { clientExtensions } from './client-extensions.js';
import { newJobId } from './live-jobs.js';
import { planJob, type PartRoute } from './plan-job.js';
import { adapterPlanning } from './planning-store.js';
import { jobProviderName } from './part-providers.js';
import { serviceTierTransform } from './job-priority.js';
import type { RequestDefaults } from './apply-defaults.js';

/** What {@link planNewJob} needs. */
export interface PlanNewJobInput {
  readonly requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>;
  readonly options: SubmitOptions;
  readonly provider: BatchProvider;
  readonly store: BatchStore;
  /** For a job made by `retry`: the job it retries. */
  readonly retryOf?: string;
  /** Where each request goes (mixed-provider jobs, per-model caps). */
  readonly route?: (request: BatchRequest) => Promise<PartRoute>;
  /** The client's per-request defaults. */
  readonly defaults?: RequestDefaults;
}

/**
 * A new job, validated and planned: every request checked (one `ValidationError` naming every bad
 * item), transformed by the client extensions, written into the part it belongs to, and seen by the
 * extensions' planning observers (the cost estimate). The extensions may refuse the job (a budget
 * below the estimate); then nothing stays in the store. The job is returned unsaved, every part
 * `planned`.
 */
export async function planNewJob(input: PlanNewJobInput): Promise<JobManifest> {
  const { options, provider, store } = input;
  const jobId = newJobId();
  const transform = requestTransform(options);
  const observers = clientExtensions.map((extension) => extension.observePlanning?.({ options: asRecord(options), provider }));
  const watching = observers.filter((observer) => observer !== undefined);
  const plan = await planJob({
    jobId,
    input: input.requests,
    store,
    ...adapterPlanning(provider, options.model, input.defaults),
    ...(transform ? { transform } : {}),
    ...(input.route ? { route: input.route } : {}),
    ...(watching.length === 0 ? {} : { observe: (request: BatchRequest) => observeAll(watching, request) }),
  });
  const now = new Date().toISOString();
  const job: JobManifest = {
    id: jobId,
    provider: jobProviderName(provider.name, plan.parts),
    mode: provider.mode,
    // Only when not the mode's default (distributed(): native lifecycle, sync prices): old manifests are unchanged.
    ...(provider.billing === undefined || provider.billing === defaultBilling(provider.mode) ? {} : { billing: provider.billing }),
    status: 'validating',
    counts: { total: plan.total, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: plan.total },
    createdAt: now,
    updatedAt: now,
    parts: plan.parts.map((part) => ({
      id: `${jobId}_p${part.index}`,
      index: part.index,
      status: 'validating',
      requestCount: part.requestCount,
      bytes: part.bytes,
      requestsWithMetadata: part.requestsWithMetadata,
      ...(part.model === undefined ? {} : { model: part.model }),
      ...(part.provider === undefined ? {} : { provider: part.provider }),
      ...(part.mode === undefined ? {} : { mode: part.mode }),
      submitState: 'planned',
      resultsStored: false,
    })),
    metadata: { ...options.metadata },
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    warnings: [],
    options: {
      ...(options.model === undefined ? {} : { model: options.model }),
      completionWindow: options.completionWindow ?? '24h',
    },
    ...(input.retryOf === undefined ? {} : { retryOf: input.retryOf }),
  };
  try {
    for (const [position, extension] of clientExtensions.entries()) {
      await extension.beforeSubmit?.({ job, options: asRecord(options), provider, store, observer: observers[position] });
    }
  } catch (error) {
    await store.deleteJob(jobId);
    throw error;
  }
  return job;
}

/** The client extensions' request changes (structured output ...) chained in order. */
export function requestTransform(options: object): ((request: BatchRequest) => BatchRequest) | undefined {
  let transform: ((request: BatchRequest) => BatchRequest) | undefined;
  for (const extension of clientExtensions) {
    const next = extension.transformRequest?.(asRecord(options));
    if (next) {
      const first = transform;
      transform = first ? (request) => next(first(request)) : next;
    }
  }
  const tier = serviceTierTransform(options as Pick<SubmitOptions, 'priority' | 'serviceTierFromPriority'>);
  if (tier) {
    const first = transform;
    transform = first ? (request) => tier(first(request)) : tier;
  }
  return transform;
}

/** Hands a planned request to every observer; waits only for those that return a promise. */
function observeAll(observers: readonly PlanningObserver[], request: BatchRequest): void | Promise<void> {
  let pending: Promise<void> | undefined;
  for (const observer of observers) {
    const observed = observer.observe(request);
    if (observed) pending = pending ? pending.then(() => observed) : observed;
  }
  return pending;
}

/** A closed options object, as the extensions read it: by name. */
function asRecord(options: object): Readonly<Record<string, unknown>> {
  return options as Readonly<Record<string, unknown>>;
}
