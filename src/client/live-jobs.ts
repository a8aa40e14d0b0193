import { randomBytes } from 'node:crypto';
import { redactSecrets } from '../errors/classify-error.js';
import { JobNotFoundError } from '../errors/job-not-found-error.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchStore } from '../store/batch-store.js';
import { deriveJobCounts, deriveJobStatus, hasEnded } from './derive-job-state.js';
import type { JobLeases, LeaseRef } from './job-leases.js';

/**
 * The jobs a client drives: one live copy of each job whose lease it holds, so that concurrent
 * updates never overwrite each other, and its saves, one after another. Jobs driven elsewhere are
 * read fresh from the store each time.
 */
export class LiveJobs {
  readonly #copies = new Map<string, JobManifest>();
  readonly #saving = new Map<string, Promise<void>>();

  constructor(
    private readonly store: BatchStore,
    private readonly leases: JobLeases,
  ) {}

  /** Makes a new job the live copy (its creator holds its lease). */
  adopt(job: JobManifest): void {
    this.#copies.set(job.id, job);
  }

  /** The live copy of a held job: loaded once, then kept while the lease is held. */
  async load(jobId: string): Promise<JobManifest> {
    const live = this.#copies.get(jobId);
    if (live) return live;
    const stored = await this.store.loadJob(jobId);
    if (!stored) throw new JobNotFoundError(jobId);
    // Another caller may have loaded it meanwhile: keep the first copy as the one live copy.
    const existing = this.#copies.get(jobId);
    if (existing) return existing;
    this.#copies.set(jobId, stored);
    return stored;
  }

  /**
   * The job as stored, for reading without the lease: a copy of the live one when this client
   * drives it, else a fresh read of what its driver last saved, with any pending cancel request.
   */
  async snapshot(jobId: string): Promise<JobManifest> {
    const live = this.leases.holds(jobId) ? this.#copies.get(jobId) : undefined;
    const job = live ? snapshot(live) : await this.store.loadJob(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    if (job.cancelRequestedAt === undefined) {
      const requested = await this.store.cancelRequested(jobId);
      if (requested !== undefined) job.cancelRequestedAt = requested;
    }
    return job;
  }

  /**
   * Saves after deriving status and counts, with every error text redacted (provider errors echo
   * keys); saves of one job run one after another.
   */
  save(job: JobManifest): Promise<void> {
    for (const part of job.parts) {
      if (part.error !== undefined) part.error = redactSecrets(part.error);
    }
    job.warnings = job.warnings.map((warning) => redactSecrets(warning));
    job.status = deriveJobStatus(job.parts);
    job.counts = deriveJobCounts(job.parts);
    job.updatedAt = new Date().toISOString();
    if (hasEnded(job)) job.endedAt ??= job.updatedAt;
    const previous = this.#saving.get(job.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.store.saveJob(job));
    this.#saving.set(job.id, next);
    return next;
  }

  /** Releases a hold; once the job is no longer held, its live copy is dropped (after its saves). */
  async release(lease: LeaseRef): Promise<void> {
    await this.#saving.get(lease.jobId)?.catch(() => undefined);
    await lease.release();
    if (!this.leases.holds(lease.jobId)) this.#copies.delete(lease.jobId);
  }

  /** Waits for every save under way. */
  async flush(): Promise<void> {
    await Promise.all([...this.#saving.values()].map((saving) => saving.catch(() => undefined)));
  }
}

/** A deep copy handed to callers, so they can never change the live job. */
export function snapshot(job: JobManifest): JobManifest {
  return structuredClone(job);
}

export function newJobId(): string {
  return `job_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}
