import type { JobManifest } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { RunEvent } from '../models/run-event.js';
import type { BatchStore, JobLease, RequestWriter, StoredRequest } from './batch-store.js';

interface MemoryJob {
  manifest: string;
  /** Requests as JSON lines, as the file store keeps them: a copy that costs less than a clone. */
  parts: Map<number, string[]>;
  /** Results as JSON: each read hands out a fresh copy, as the file journal does. */
  results: string[];
  /** Run events as JSON, like the results. */
  events?: string[];
  lease?: JobLease;
  cancelRequestedAt?: string;
}

/**
 * A store that keeps everything in memory: for tests and short-lived scripts. Nothing survives
 * the process, so `resume` after a crash is not possible with it.
 *
 * @example
 * const client = createBatchClient({ provider, store: memoryStore() });
 */
export function memoryStore(): BatchStore {
  const jobs = new Map<string, MemoryJob>();

  function entry(jobId: string): MemoryJob {
    let job = jobs.get(jobId);
    if (!job) {
      job = { manifest: '', parts: new Map(), results: [] };
      jobs.set(jobId, job);
    }
    return job;
  }

  return {
    async saveJob(job) {
      // Stored as JSON so callers can never mutate the stored copy by accident.
      entry(job.id).manifest = JSON.stringify(job);
    },
    async loadJob(jobId) {
      const manifest = jobs.get(jobId)?.manifest;
      return manifest ? (JSON.parse(manifest) as JobManifest) : undefined;
    },
    async listJobs() {
      return [...jobs.values()]
        .filter((job) => job.manifest !== '')
        .map((job) => JSON.parse(job.manifest) as JobManifest);
    },
    async deleteJob(jobId) {
      jobs.delete(jobId);
    },
    async createRequestWriter(jobId, partIndex): Promise<RequestWriter> {
      const records: string[] = [];
      entry(jobId).parts.set(partIndex, records);
      return {
        write(record) {
          // JSON, not structuredClone: cheaper on small objects, and the same round trip as the file store.
          records.push(JSON.stringify(record));
        },
        async close() {},
        // Each record is readable the moment it is written.
        async flush() {},
      };
    },
    async *readRequests(jobId, partIndex) {
      // Each read parses a fresh copy: callers (middleware, for one) may change what they get.
      for (const record of jobs.get(jobId)?.parts.get(partIndex) ?? []) yield JSON.parse(record) as StoredRequest;
    },
    async appendResults(jobId, results) {
      const stored = entry(jobId).results;
      // Kept as JSON so that neither the caller nor a reader can ever change the journal afterwards.
      for (const result of results) stored.push(JSON.stringify(result));
    },
    async *readResults(jobId) {
      const results = jobs.get(jobId)?.results ?? [];
      // Index loop: results appended while iterating are seen too, as with the file journal.
      for (let index = 0; index < results.length; index++) yield JSON.parse(results[index] as string) as BatchResult;
    },
    async *readResultsFrom(jobId, position) {
      const results = jobs.get(jobId)?.results ?? [];
      for (let index = Math.max(0, Math.floor(position)); index < results.length; index++) yield JSON.parse(results[index] as string) as BatchResult;
    },
    async appendRunEvents(jobId, events) {
      const stored = (entry(jobId).events ??= []);
      for (const event of events) stored.push(JSON.stringify(event));
    },
    async *readRunEvents(jobId) {
      const events = jobs.get(jobId)?.events ?? [];
      for (let index = 0; index < events.length; index++) yield JSON.parse(events[index] as string) as RunEvent;
    },
    // Leases: the clients sharing one memory store live in one process, so a lapsed lease is the
    // only stale one.
    async acquireLease(jobId, holder, ttlMs) {
      const job = entry(jobId);
      const now = Date.now();
      const current = job.lease;
      if (current !== undefined && current.holder.id !== holder.id && Date.parse(current.expiresAt) > now) {
        return { acquired: false, lease: current };
      }
      const lease: JobLease = {
        holder: { ...holder },
        acquiredAt: current?.holder.id === holder.id ? current.acquiredAt : new Date(now).toISOString(),
        expiresAt: new Date(now + ttlMs).toISOString(),
      };
      job.lease = lease;
      return { acquired: true, lease };
    },
    async renewLease(jobId, holder, ttlMs) {
      const job = jobs.get(jobId);
      if (job?.lease?.holder.id !== holder.id) return false;
      job.lease = { ...job.lease, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
      return true;
    },
    async releaseLease(jobId, holder) {
      const job = jobs.get(jobId);
      if (job?.lease?.holder.id === holder.id) delete job.lease;
    },
    async readLease(jobId) {
      return jobs.get(jobId)?.lease;
    },
    async requestCancel(jobId) {
      entry(jobId).cancelRequestedAt ??= new Date().toISOString();
    },
    async cancelRequested(jobId) {
      return jobs.get(jobId)?.cancelRequestedAt;
    },
  };
}
