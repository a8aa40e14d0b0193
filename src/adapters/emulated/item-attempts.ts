import type { WorkerContext } from './worker-pool.js';

/** Per item: how many calls were made and how many of each kind of retry. */
export interface ItemAttempts {
  calls: number;
  budgetRetries: number;
  rateLimitRetries: number;
  readonly startedAt: number;
  /** Waits without holding the item's worker (see `WorkerContext.park`). */
  readonly park: WorkerContext['park'];
}
