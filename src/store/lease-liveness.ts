import { hostname } from 'node:os';
import type { JobLease } from './batch-store.js';

/**
 * Whether a lease still binds: not lapsed, and not held by a process of this host that is gone.
 * A process of another host is trusted until its lease lapses.
 */
export function isLeaseLive(lease: JobLease, now = Date.now()): boolean {
  if (!(Date.parse(lease.expiresAt) > now)) return false;
  return lease.holder.host !== hostname() || isProcessAlive(lease.holder.pid);
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
