import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { throwIfAborted } from '../errors/abort-error.js';
import { JobLeasedError } from '../errors/job-leased-error.js';
import { delay } from '../retry/delay.js';
import type { BatchStore, JobLease, LeaseHolder } from '../store/batch-store.js';

/** Options of the one-driver-per-job lease (`createBatchClient({ lease })`). */
export interface LeaseOptions {
  /**
   * How long a lease lasts without renewal. The holder renews it every third of this, so a driver
   * that dies without a word is taken over after at most this long (at once, when it was a process
   * of the same host).
   * @default 30_000
   */
  readonly ttlMs?: number;
  /**
   * How long `resume` and `retry` wait for a job driven by someone else before they throw
   * `JobLeasedError` (another process's `status` holds the lease for a moment while it polls).
   * 0: throw at once.
   * @default 3_000
   */
  readonly waitMs?: number;
}

/** A hold on a job's lease; the lease is given up when the last hold of the job is released. */
export interface LeaseRef {
  readonly jobId: string;
  /** Aborted when the lease was lost (it lapsed and another driver took the job over). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

interface HeldLease {
  count: number;
  /** Gives the lease up a moment after its last hold ended, unless it is held again first. */
  linger: NodeJS.Timeout | undefined;
  readonly lost: AbortController;
  readonly timer: NodeJS.Timeout;
  renewedAt: number;
  cancelSeen: boolean;
  ticking: boolean;
}

interface JobLeasesOptions {
  readonly ttlMs: number;
  readonly waitMs: number;
  /** How often a held job is checked for a cancel request (and its lease renewed when due). */
  readonly watchIntervalMs: number;
  /** Called once per held job when another process asked to cancel it. */
  readonly onCancelRequested: (jobId: string) => void;
  /** Called when a held lease was lost. */
  readonly onLost: (jobId: string) => void;
  /**
   * How long a lease is kept after its last hold ends. One operation that follows another (`resume`
   * then `wait`, `submit` then `wait`) takes it up again without a gap in which a second driver
   * could slip in. `releaseAll` gives it up at once.
   * @default 1_000
   */
  readonly lingerMs?: number;
}

const leaseRetryPauseMs = 250;
const defaultLingerMs = 1_000;

/**
 * The leases one client holds: re-entrant per job (a `run` holds it through submit, the emulated run
 * and the wait), renewed by a heartbeat that also watches for cancel requests from other processes.
 */
export class JobLeases {
  readonly holder: LeaseHolder = { id: randomBytes(8).toString('hex'), host: hostname(), pid: process.pid };
  readonly #held = new Map<string, HeldLease>();
  /** Acquisitions in flight, so that two callers of one client never race each other. */
  readonly #acquiring = new Map<string, Promise<JobLease | undefined>>();

  constructor(
    private readonly store: BatchStore,
    private readonly options: JobLeasesOptions,
  ) {}

  /** Whether this client holds the job's lease now (by an operation, not only lingering). */
  holds(jobId: string): boolean {
    const held = this.#held.get(jobId);
    return held !== undefined && !held.lost.signal.aborted && held.count > 0;
  }

  /** Holds the lease, waiting up to `waitMs` for another driver; throws `JobLeasedError` after that. */
  async hold(jobId: string, options: { signal?: AbortSignal | undefined; waitMs?: number } = {}): Promise<LeaseRef> {
    const waitMs = options.waitMs ?? this.options.waitMs;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const attempt = await this.tryHold(jobId);
      if (!('holder' in attempt)) return attempt;
      if (Date.now() >= deadline) throw new JobLeasedError(jobId, attempt);
      await delay(Math.min(leaseRetryPauseMs, Math.max(1, deadline - Date.now())), { signal: options.signal });
      throwIfAborted(options.signal);
    }
  }

  /** Holds the lease if it is free (or ours); otherwise returns the lease in force. */
  async tryHold(jobId: string): Promise<LeaseRef | JobLease> {
    const held = this.#held.get(jobId);
    if (held !== undefined && !held.lost.signal.aborted) {
      held.count++;
      clearTimeout(held.linger);
      held.linger = undefined;
      return this.#ref(jobId, held);
    }
    let pending = this.#acquiring.get(jobId);
    if (pending === undefined) {
      pending = this.#acquire(jobId).finally(() => this.#acquiring.delete(jobId));
      this.#acquiring.set(jobId, pending);
    }
    const foreign = await pending;
    if (foreign !== undefined) return foreign;
    const now = this.#held.get(jobId);
    if (now === undefined) return this.tryHold(jobId);
    now.count++;
    clearTimeout(now.linger);
    now.linger = undefined;
    return this.#ref(jobId, now);
  }

  /** Stops every heartbeat and gives every lease up. */
  async releaseAll(): Promise<void> {
    const jobIds = [...this.#held.keys()];
    await Promise.all(jobIds.map((jobId) => this.#drop(jobId)));
  }

  async #acquire(jobId: string): Promise<JobLease | undefined> {
    const attempt = await this.store.acquireLease(jobId, this.holder, this.options.ttlMs);
    if (!attempt.acquired) return attempt.lease;
    const previous = this.#held.get(jobId);
    if (previous !== undefined) clearInterval(previous.timer);
    const held: HeldLease = {
      count: 0,
      linger: undefined,
      lost: new AbortController(),
      timer: setInterval(() => void this.#tick(jobId), this.options.watchIntervalMs),
      renewedAt: Date.now(),
      cancelSeen: false,
      ticking: false,
    };
    // The heartbeat never keeps a process alive by itself.
    held.timer.unref();
    this.#held.set(jobId, held);
    return undefined;
  }

  #ref(jobId: string, held: HeldLease): LeaseRef {
    let released = false;
    return {
      jobId,
      lost: held.lost.signal,
      release: async () => {
        if (released) return;
        released = true;
        held.count--;
        if (held.count > 0 || this.#held.get(jobId) !== held) return;
        const lingerMs = this.options.lingerMs ?? defaultLingerMs;
        if (lingerMs <= 0 || held.lost.signal.aborted) {
          await this.#drop(jobId);
          return;
        }
        held.linger = setTimeout(() => {
          if (held.count <= 0 && this.#held.get(jobId) === held) void this.#drop(jobId);
        }, lingerMs);
        held.linger.unref();
      },
    };
  }

  async #drop(jobId: string): Promise<void> {
    const held = this.#held.get(jobId);
    if (held === undefined) return;
    this.#held.delete(jobId);
    clearInterval(held.timer);
    clearTimeout(held.linger);
    if (!held.lost.signal.aborted) await this.store.releaseLease(jobId, this.holder).catch(() => undefined);
  }

  async #tick(jobId: string): Promise<void> {
    const held = this.#held.get(jobId);
    if (held === undefined || held.ticking || held.lost.signal.aborted) return;
    held.ticking = true;
    try {
      if (Date.now() - held.renewedAt >= this.options.ttlMs / 3) {
        const kept = await this.store.renewLease(jobId, this.holder, this.options.ttlMs);
        if (!kept) {
          held.lost.abort(new Error(`The lease of job ${jobId} was lost`));
          this.options.onLost(jobId);
          return;
        }
        held.renewedAt = Date.now();
      }
      if (!held.cancelSeen && (await this.store.cancelRequested(jobId)) !== undefined) {
        held.cancelSeen = true;
        this.options.onCancelRequested(jobId);
      }
    } catch {
      // A store hiccup: the next tick tries again; the lease lasts three renewal periods.
    } finally {
      held.ticking = false;
    }
  }
}

/** Whether `tryHold` gave a hold (rather than the lease in force). */
export function isLeaseRef(value: LeaseRef | JobLease): value is LeaseRef {
  return 'release' in value;
}
