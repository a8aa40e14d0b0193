import { link, readFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { JobLease, LeaseAttempt, LeaseHolder } from './batch-store.js';
import { isLeaseLive } from './lease-liveness.js';
import { isNotFound } from './is-not-found.js';
import { writeFileAtomically } from './write-file-atomically.js';

/**
 * A job's lease file: the one-driver-per-job lock, atomic across processes that share the store.
 * A reader never sees a lease half written: a new lease appears whole, in one step; a stale one is
 * taken over by whoever moves it aside first; a renewal is an atomic rewrite.
 */
export class FileLease {
  /** `path` is the lease file; `storeRoot` the store it belongs to, named when it cannot be written. */
  constructor(
    private readonly path: string,
    private readonly storeRoot: string,
  ) {}

  /** The lease in force, if any (an expired one included); an unreadable file reads as a lapsed lease. */
  async read(): Promise<JobLease | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return parseLease(text);
  }

  /** Takes the lease for `holder` (see `BatchStore.acquireLease`); the lease file's folder must exist. */
  async acquire(holder: LeaseHolder, ttlMs: number): Promise<LeaseAttempt> {
    const path = this.path;
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const lease: JobLease = { holder: { ...holder }, acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
      const current = await this.read();
      if (current !== undefined && current.holder.id === holder.id) {
        const renewed = { ...current, expiresAt: lease.expiresAt };
        await writeFileAtomically(path, JSON.stringify(renewed), this.storeRoot);
        return { acquired: true, lease: renewed };
      }
      if (current !== undefined && isLeaseLive(current, now)) return { acquired: false, lease: current };
      if (current !== undefined) {
        // Move the stale lease aside; whoever's rename wins takes over. A fresh lease moved aside
        // by a loser of that race is put back at once.
        const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
        try {
          await rename(path, aside);
          const moved = await readFile(aside, 'utf8').then(parseLease);
          if (moved !== undefined && moved.holder.id !== current.holder.id) await link(aside, path).catch(() => undefined);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        } finally {
          await unlink(aside).catch(() => undefined);
        }
      }
      // Created whole and in one step (a hard link of a complete file), so no reader sees it half written.
      const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFileAtomically(temporary, JSON.stringify(lease), this.storeRoot);
      try {
        await link(temporary, path);
        return { acquired: true, lease };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw error;
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
    }
  }

  /** Extends the lease `holder` holds; false when it no longer holds it. */
  async renew(holder: LeaseHolder, ttlMs: number): Promise<boolean> {
    const current = await this.read();
    if (current === undefined || current.holder.id !== holder.id) return false;
    const renewed: JobLease = { ...current, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
    await writeFileAtomically(this.path, JSON.stringify(renewed), this.storeRoot);
    return true;
  }

  /** Removes the lease file, if `holder` still holds the lease. */
  async release(holder: LeaseHolder): Promise<void> {
    const current = await this.read();
    if (current?.holder.id !== holder.id) return;
    await unlink(this.path).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}

/** An unreadable lease file counts as lapsed: it must not lock a job for good. */
function parseLease(text: string): JobLease | undefined {
  try {
    const value = JSON.parse(text) as Partial<JobLease> & { holder?: Partial<LeaseHolder> };
    const holder = value.holder;
    if (typeof holder?.id === 'string' && typeof holder.host === 'string' && typeof holder.pid === 'number' && typeof value.expiresAt === 'string') {
      return { holder: { id: holder.id, host: holder.host, pid: holder.pid }, acquiredAt: String(value.acquiredAt ?? value.expiresAt), expiresAt: value.expiresAt };
    }
  } catch {
    // Falls through to the lapsed lease below.
  }
  return { holder: { id: 'unreadable', host: '', pid: 0 }, acquiredAt: new Date(0).toISOString(), expiresAt: new Date(0).toISOString() };
}
