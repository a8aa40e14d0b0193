/** Who drives a job: one client object of one process. */
export interface LeaseHolder {
  /** Unique per client object (random). */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

/** The lease in force on a job (what `lease.json` holds with `fileStore`). */
export interface JobLease {
  readonly holder: LeaseHolder;
  /** When it was taken (ISO time). */
  readonly acquiredAt: string;
  /** When it lapses unless renewed (ISO time). */
  readonly expiresAt: string;
}
