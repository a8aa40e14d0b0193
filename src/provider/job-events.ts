import type { JobStatus } from '../models/batch-job.js';
import type { ItemStatus } from '../models/batch-result.js';
import type { ItemError } from '../models/item-error.js';

interface NativeEventBase {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly jobId: string;
  /** The part (one provider batch). */
  readonly partId: string;
}

/** A native part was created at the provider. */
export interface PartSubmittedEvent extends NativeEventBase {
  readonly type: 'part.submitted';
  readonly provider: string;
  readonly providerBatchId: string;
  readonly requestCount: number;
}

/** A native part was polled: its status and the provider's counts. */
export interface PartPolledEvent extends NativeEventBase {
  readonly type: 'part.polled';
  readonly status: JobStatus;
  readonly rawStatus?: string;
  readonly counts?: { readonly succeeded?: number; readonly failed?: number; readonly cancelled?: number; readonly expired?: number; readonly pending?: number };
}

/** A native part reached a terminal status (its results are read next). */
export interface PartEndedEvent extends NativeEventBase {
  readonly type: 'part.ended';
  readonly status: JobStatus;
  readonly error?: string;
  /** Milliseconds since the part was submitted, when known. */
  readonly elapsedMs?: number;
}

/** One result of a native part, as it was read and journaled. */
export interface ItemResultEvent extends NativeEventBase {
  readonly type: 'item.result';
  readonly id: string;
  readonly status: ItemStatus;
  readonly error?: ItemError;
}

/** A native part's results are all stored. */
export interface ResultsReadEvent extends NativeEventBase {
  readonly type: 'results.read';
  /** Results the provider returned and were stored now. */
  readonly read: number;
  /** Requests with no result line, stored as synthesized results (expired, cancelled or failed). */
  readonly missing: number;
}

/** Every event a native job reports, discriminated on `type`. */
export type NativeJobEvent = PartSubmittedEvent | PartPolledEvent | PartEndedEvent | ItemResultEvent | ResultsReadEvent;
