import type { BatchJob } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';

/** A normalized request as the store keeps it: its 0-based position in the input, and the request. */
export interface StoredRequest {
  index: number;
  request: BatchRequest;
}

/** Writes the requests of one part, in input order. */
export interface RequestWriter {
  write(record: StoredRequest): void | Promise<void>;
  close(): Promise<void>;
}

/**
 * Where jobs live: a manifest per job, the normalized requests per part, and an append-only
 * results journal. An interface, so that a shared store (Redis, Postgres) can back several workers.
 * A store never sees an API key.
 */
export interface BatchStore {
  /** Writes the manifest atomically: a reader sees the old or the new one, never a torn one. */
  saveJob(job: BatchJob): Promise<void>;
  loadJob(jobId: string): Promise<BatchJob | undefined>;
  listJobs(): Promise<BatchJob[]>;
  deleteJob(jobId: string): Promise<void>;
  createRequestWriter(jobId: string, partIndex: number): Promise<RequestWriter>;
  readRequests(jobId: string, partIndex: number): AsyncIterable<StoredRequest>;
  /** Appends terminal results durably (in the file store: written to the file before it resolves). */
  appendResults(jobId: string, results: readonly BatchResult[]): Promise<void>;
  /** The journal in append order. A torn last line (a crash mid-write) is skipped. */
  readResults(jobId: string): AsyncIterable<BatchResult>;
}
