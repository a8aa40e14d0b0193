import type { BatchRequest } from '../models/batch-request.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore } from '../store/batch-store.js';
import type { RequestDefaults } from './apply-defaults.js';
import type { PlanJobOptions } from './plan-job.js';

/**
 * A store the planner writes to when nothing is to be kept (a dry run, `complete()`): it has the
 * request writer (and the reader) its user gives; anything else asked of it is a bug, and throws.
 */
export function planningStore(
  purpose: string,
  own: Pick<BatchStore, 'createRequestWriter' | 'deleteJob'> & Partial<Pick<BatchStore, 'readRequests'>>,
): BatchStore {
  const unused = (): never => {
    throw new Error(`${purpose} stores no jobs or results`);
  };
  return {
    saveJob: unused,
    loadJob: unused,
    listJobs: unused,
    readRequests: unused,
    appendResults: unused,
    readResults: unused,
    acquireLease: unused,
    renewLease: unused,
    releaseLease: unused,
    readLease: unused,
    requestCancel: unused,
    cancelRequested: unused,
    ...own,
  };
}

/** The planner's options that come from the adapter and the client: its limits and measure, the default model, the request defaults. */
export function adapterPlanning(
  provider: BatchProvider,
  model: string | undefined,
  defaults: RequestDefaults | undefined,
): Pick<PlanJobOptions, 'limits' | 'defaultModel' | 'defaults' | 'measure'> {
  return {
    limits: provider.limits,
    ...(model === undefined ? {} : { defaultModel: model }),
    ...(defaults === undefined ? {} : { defaults }),
    ...(provider.measure ? { measure: (request: BatchRequest) => provider.measure!(request) } : {}),
  };
}
