import { isTerminalStatus, type JobManifest } from '../../models/batch-job.js';
import type { BatchStore } from '../../store/batch-store.js';

/** One point of a job's progress, as the viewer saw it while watching. */
export interface ProgressSample {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly expired: number;
  readonly pending: number;
}

type Listener = (job: JobManifest) => void;

const maxSamples = 2_000;

/**
 * Watches one job for every client of the viewer at once: one timer reads the manifest, and every
 * change goes to all listeners (server-sent events), so ten open tabs cost one read a tick, not ten.
 * The timer stops when the last listener leaves or the job ends.
 */
export class JobWatcher {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private lastUpdatedAt: string | undefined;
  private reading = false;
  readonly samples: ProgressSample[] = [];
  /** How many times the watcher read the manifest (the tests check that clients share it). */
  reads = 0;

  constructor(
    private readonly store: BatchStore,
    readonly jobId: string,
    private readonly intervalMs: number,
  ) {}

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
      void this.tick();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Records a sample of `job` (also called when a page loads the job, so charts start with a point). */
  record(job: JobManifest): void {
    const { succeeded, failed, cancelled, expired, pending } = job.counts;
    const last = this.samples[this.samples.length - 1];
    if (last && last.succeeded === succeeded && last.failed === failed && last.cancelled === cancelled && last.expired === expired && last.pending === pending) return;
    this.samples.push({ t: Date.now(), succeeded, failed, cancelled, expired, pending });
    if (this.samples.length > maxSamples) this.samples.splice(0, this.samples.length - maxSamples);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      this.reads++;
      const job = await this.store.loadJob(this.jobId);
      if (!job) return;
      this.record(job);
      const version = `${job.updatedAt}|${job.cancelRequestedAt ?? ''}|${job.status}`;
      if (version !== this.lastUpdatedAt) {
        this.lastUpdatedAt = version;
        for (const listener of this.listeners) listener(job);
      }
      if (isTerminalStatus(job.status)) this.stop();
    } catch {
      // A manifest being replaced can fail to read once; the next tick reads it again.
    } finally {
      this.reading = false;
    }
  }
}
