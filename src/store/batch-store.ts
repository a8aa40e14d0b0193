import type { JobManifest } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { RunEvent } from '../models/run-event.js';
import type { JobLease, LeaseHolder } from '../models/job-lease.js';
import type { StoreDamageError } from '../errors/store-damage-error.js';

// The lease types are part of this contract; they live with the models so that errors can name them.
export type { JobLease, LeaseHolder } from '../models/job-lease.js';

/** A normalized request as the store keeps it: its 0-based position in the input, and the request. */
export interface StoredRequest {
  index: number;
  request: BatchRequest;
  /**
   * A streaming intake's bad item, with what is wrong with it: it keeps its place in the input's
   * order and has a failed result under `request.id`, and is never sent. `request` holds only that id.
   */
  rejected?: string;
}

/** Writes the requests of one part, in input order. */
export interface RequestWriter {
  write(record: StoredRequest): void | Promise<void>;
  /**
   * Optional: writes the record of the request at `index` whose JSON text is `requestJson` (what
   * `JSON.stringify(request)` gives), so that a planner that measured the request by its JSON does
   * not serialize it twice. Returns a promise only when it has to wait.
   */
  writeJson?(index: number, requestJson: string): void | Promise<void>;
  close(): Promise<void>;
  /**
   * Optional: makes every record written so far durable and readable by `readRequests`, before
   * `close`. A streaming intake (`intake: 'streaming'`) needs it: a request is sent only once its
   * record can be read back.
   */
  flush?(): Promise<void>;
}

/**
 * Where jobs live: a manifest per job, the normalized requests per part, and an append-only
 * results journal. An interface, so that a shared store (Redis, Postgres) can back several workers.
 * A store never sees an API key.
 */
export interface BatchStore {
  /** Writes the manifest atomically: a reader sees the old or the new one, never a torn one. */
  saveJob(job: JobManifest): Promise<void>;
  loadJob(jobId: string): Promise<JobManifest | undefined>;
  /** Every readable job; a job that cannot be read is handed to `onDamaged`, never hidden silently. */
  listJobs(options?: ListJobsOptions): Promise<JobManifest[]>;
  deleteJob(jobId: string): Promise<void>;
  createRequestWriter(jobId: string, partIndex: number): Promise<RequestWriter>;
  readRequests(jobId: string, partIndex: number): AsyncIterable<StoredRequest>;
  /** Appends terminal results durably (in the file store: written to the file before it resolves). */
  appendResults(jobId: string, results: readonly BatchResult[]): Promise<void>;
  /**
   * The journal in append order. A torn last line (a crash mid-write) is skipped; any other line
   * that is not a result throws a `StoreDamageError` naming the place, so nothing is dropped silently.
   */
  readResults(jobId: string): AsyncIterable<BatchResult>;
  /**
   * Optional: the journal from its `position`-th result (0-based) on, as `readResults` reads it
   * past the first `position` results, but without reading them (the file store seeks through a
   * sparse index of the journal). The viewer opens a deep page of results with it.
   */
  readResultsFrom?(jobId: string, position: number): AsyncIterable<BatchResult>;
  /**
   * Optional: appends events of an emulated run (429s, cooldowns, the concurrency window, retries)
   * to the job's event journal, kept apart from its results. A store without it journals none.
   */
  appendRunEvents?(jobId: string, events: readonly RunEvent[]): Promise<void>;
  /** Optional: the job's run events in append order; none when it has none. */
  readRunEvents?(jobId: string): AsyncIterable<RunEvent>;

  /**
   * Takes the job's lease for `holder` for `ttlMs`: the one-driver-per-job lock. Succeeds when the
   * job has no lease, when `holder` already holds it (renewing it), or when the lease has expired
   * or its holder is known to be dead (a process of this host that no longer runs). Otherwise
   * returns the lease in force, untouched. Must be atomic across processes sharing the store.
   */
  acquireLease(jobId: string, holder: LeaseHolder, ttlMs: number): Promise<LeaseAttempt>;
  /** Extends a lease `holder` holds; false when it no longer holds it (it expired and was taken over). */
  renewLease(jobId: string, holder: LeaseHolder, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, if `holder` still holds it. */
  releaseLease(jobId: string, holder: LeaseHolder): Promise<void>;
  /** The lease in force, if any (an expired one included, with its `expiresAt` in the past). */
  readLease(jobId: string): Promise<JobLease | undefined>;
  /**
   * Records that someone asked to cancel the job. Any process may call it; the job's driver sees it
   * through `cancelRequested` and stops the job.
   */
  requestCancel(jobId: string): Promise<void>;
  /** When cancellation was asked for (ISO time), or undefined. */
  cancelRequested(jobId: string): Promise<string | undefined>;
}

/** Options of `listJobs`. */
export interface ListJobsOptions {
  /** Called for each job whose manifest cannot be read. */
  readonly onDamaged?: (error: StoreDamageError) => void;
}

/** What `acquireLease` did. */
export type LeaseAttempt = { readonly acquired: true; readonly lease: JobLease } | { readonly acquired: false; readonly lease: JobLease };
