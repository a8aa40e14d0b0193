import { Redis } from 'ioredis';

/** Where the distributed runner keeps a part's state (results, counts, its size, the cancel flag). */
export function partKeys(prefix: string, partId: string) {
  const base = `${prefix}:{${partId}}`;
  return { results: `${base}:results`, counts: `${base}:counts`, meta: `${base}:meta`, cancel: `${base}:cancel` };
}

/** The keys of the cluster-wide call gate. */
export function gateKeys(prefix: string) {
  return { slot: `${prefix}:gate:slot`, cooldown: `${prefix}:gate:cooldown`, tokenSlot: `${prefix}:gate:token-slot`, learned: `${prefix}:gate:learned` };
}

/** The budget of one job, shared by every worker (limit, spent, reserved, exhausted). */
export function budgetKey(prefix: string, jobId: string): string {
  return `${prefix}:budget:{${jobId}}`;
}

/** A connection for BullMQ and the runner's keys: from a URL (owned, closed by the runner) or yours. */
export function openConnection(connection: string | Redis): { redis: Redis; owned: boolean } {
  if (typeof connection === 'string') {
    const redis = new Redis(connection, { maxRetriesPerRequest: null });
    // Errors reach the caller through the command that failed (BullMQ reconnects by itself).
    redis.on('error', () => undefined);
    return { redis, owned: true };
  }
  return { redis: connection, owned: false };
}

/** The BullMQ job id of one chunk: stable, so that enqueuing a part again adds nothing twice. */
export function chunkJobId(partId: string, chunk: number): string {
  return `${partId}-c${chunk}`;
}
