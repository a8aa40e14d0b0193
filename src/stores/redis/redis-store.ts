import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { registerSecret } from '../../errors/redact-secrets.js';
import { StoreDamageError } from '../../errors/store-damage-error.js';
import { isTerminalStatus, jobManifestSchema, type JobManifest } from '../../models/batch-job.js';
import type { BatchResult } from '../../models/batch-result.js';
import { isRunEventShaped } from '../../models/run-event.js';
import type { BatchStore, JobLease, LeaseAttempt, RequestWriter, StoredRequest } from '../../store/batch-store.js';
import { isResultShaped } from '../../store/is-result-shaped.js';
import { checkOptionKeys, failOption, optionNames, showValue } from '../../validation/check-options.js';
import { ValidationError, type ValidationIssue } from '../../errors/validation-error.js';
import { acquireLeaseScript, appendNewResultsScript, compareAndSetManifestScript, releaseLeaseScript, renewLeaseScript } from './redis-lua.js';

/** Options of {@link redisStore}: give `url` or `client`. */
export interface RedisStoreOptions {
  /** `redis://[:password@]host:port[/db]` (or `rediss://`): the store opens its own connection, and `close()` ends it. */
  readonly url?: string;
  /** An ioredis client you made (and close yourself). */
  readonly client?: Redis;
  /**
   * Starts every key of the store (`<prefix>:jobs`, `<prefix>:{<jobId>}:manifest` ...), so that
   * several stores can share one Redis.
   * @default 'llm-batch'
   */
  readonly prefix?: string;
  /**
   * Once a job reaches a terminal status, all its keys expire after this many seconds. By default
   * finished jobs stay until `deleteJob`.
   */
  readonly finishedJobTtlSeconds?: number;
}

/** A {@link BatchStore} on Redis, with what only it can do. */
export interface RedisBatchStore extends BatchStore {
  /**
   * Reads the manifest, applies `change` and saves the result only if no one saved the job in
   * between (a compare-and-set on the manifest's version); otherwise reads again and retries.
   * Returns the manifest saved, or undefined when the job does not exist.
   */
  updateJob(jobId: string, change: (job: JobManifest) => JobManifest): Promise<JobManifest | undefined>;
  /**
   * Appends the results whose item has no result in the journal yet (by item id), atomically:
   * a result delivered twice (a re-run item) is journaled once. Returns how many were appended.
   */
  appendNewResults(jobId: string, results: readonly BatchResult[]): Promise<number>;
  /** The ids of the items that have a result appended by `appendNewResults`. */
  journaledIds(jobId: string, itemIds: readonly string[]): Promise<Set<string>>;
  /** The ioredis client the store uses. */
  readonly client: Redis;
  /** Ends the connection the store opened from `url`; a `client` you gave is left open. */
  close(): Promise<void>;
}

const redisStoreOptionNames = optionNames<RedisStoreOptions>({ url: true, client: true, prefix: true, finishedJobTtlSeconds: true });
const pageSize = 1_000;
const writeBatchSize = 500;
/** A request part being written is renamed into place on close; an abandoned one disappears after a day. */
const unfinishedPartTtlSeconds = 86_400;

/**
 * A job store on Redis, shared by every process and host that connects to it: several replicas
 * can `wait`, read `results`, `resume` or `cancel` the same jobs, and the one-driver-per-job lease
 * works across hosts. Manifests are replaced atomically (and `updateJob` is a compare-and-set on
 * a version), the journal is a Redis list appended atomically, the requests of a part are written
 * under a temporary key and renamed into place whole. Keep the data with AOF
 * (`appendonly yes`, `appendfsync everysec` or `always`): see docs/distributed.md.
 *
 * Needs the optional peer dependency `ioredis`.
 *
 * @example
 * const store = redisStore({ url: process.env.REDIS_URL, prefix: 'llm-batch' });
 * const client = createBatchClient({ provider, store });
 */
export function redisStore(options: RedisStoreOptions): RedisBatchStore {
  const where = 'redisStore()';
  if (typeof options !== 'object' || options === null) failOption(where, 'options', 'an object with url or client', options);
  checkOptionKeys(where, options, redisStoreOptionNames);
  // Every bad option named at once.
  const issues: ValidationIssue[] = [];
  const bad = (field: string, expected: string, value: unknown) => issues.push({ index: 0, field, reason: `must be ${expected}, got ${showValue(value)}` });
  if ((options.url === undefined) === (options.client === undefined)) bad('url', 'given, or client (exactly one of them)', options.url === undefined ? undefined : 'both');
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\/./.test(options.url))) bad('url', 'a redis:// or rediss:// URL', redactUrl(options.url));
  if (options.client !== undefined && (typeof options.client !== 'object' || options.client === null || typeof (options.client as { eval?: unknown }).eval !== 'function')) {
    bad('client', 'an ioredis client', options.client);
  }
  if (options.prefix !== undefined && (typeof options.prefix !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(options.prefix))) {
    bad('prefix', 'letters, digits, "_", ".", ":" or "-" (1 to 100 of them)', options.prefix);
  }
  const ttl = options.finishedJobTtlSeconds;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0)) bad('finishedJobTtlSeconds', 'a positive whole number of seconds', ttl);
  if (issues.length > 0) {
    throw new ValidationError(issues, { subject: 'option', message: `${where}: ${issues.map((issue) => `option "${issue.field}" ${issue.reason}`).join('; ')}` });
  }

  const ownsClient = options.client === undefined;
  if (options.url !== undefined) {
    const password = passwordOf(options.url);
    if (password !== undefined) registerSecret(password);
  }
  const redis = options.client ?? new Redis(options.url!, { maxRetriesPerRequest: 5 });
  // Connection errors reach the caller through the command that failed; without a listener ioredis
  // would also print each one ("Unhandled error event").
  if (ownsClient) redis.on('error', () => undefined);
  const prefix = options.prefix ?? 'llm-batch';
  const jobsKey = `${prefix}:jobs`;

  const key = (jobId: string, name: string): string => {
    // Job ids become keys: the same names the file store accepts, so a job can move between them.
    if (typeof jobId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(jobId)) throw new TypeError(`Invalid job id ${JSON.stringify(jobId)}`);
    // The job id in braces: one hash slot per job, so that a job's keys stay together.
    return `${prefix}:{${jobId}}:${name}`;
  };
  const partKey = (jobId: string, partIndex: number): string => key(jobId, `requests:${partIndex}`);
  const partsKey = (jobId: string): string => key(jobId, 'parts');
  /** Every key of a job (the request parts listed in its parts set). */
  async function jobKeys(jobId: string): Promise<string[]> {
    const parts = await redis.smembers(partsKey(jobId));
    return [...['manifest', 'version', 'results', 'journaled', 'events', 'lease', 'cancel', 'parts'].map((name) => key(jobId, name)), ...parts];
  }

  function parseManifest(jobId: string, text: string): JobManifest {
    const location = key(jobId, 'manifest');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new StoreDamageError(jobId, location, `the manifest is not JSON (${(error as Error).message})`, { cause: error });
    }
    const parsed = jobManifestSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length === 0 ? 'the manifest' : `field "${issue.path.join('.')}"`;
      throw new StoreDamageError(jobId, location, `${field}: ${issue.message}`, { cause: parsed.error });
    }
    return parsed.data;
  }

  async function expireIfFinished(job: JobManifest): Promise<void> {
    if (ttl === undefined || !isTerminalStatus(job.status)) return;
    const pipeline = redis.pipeline();
    for (const name of await jobKeys(job.id)) pipeline.expire(name, ttl);
    await pipeline.exec();
  }

  function parseLease(text: string | null): JobLease | undefined {
    if (text === null) return undefined;
    try {
      const value = JSON.parse(text) as { holder: JobLease['holder']; acquiredAt: number; expiresAt: number };
      return { holder: { id: value.holder.id, host: value.holder.host, pid: value.holder.pid }, acquiredAt: new Date(value.acquiredAt).toISOString(), expiresAt: new Date(value.expiresAt).toISOString() };
    } catch {
      // An unreadable lease counts as lapsed, as in the file store: it must not lock a job for good.
      return { holder: { id: 'unreadable', host: '', pid: 0 }, acquiredAt: new Date(0).toISOString(), expiresAt: new Date(0).toISOString() };
    }
  }

  /** A job's list (results or run events) from `position` on, a page at a time, each entry checked. */
  async function* readList<T>(jobId: string, kind: string, position: number, isShaped: (value: unknown) => value is T, what: string, required: string): AsyncGenerator<T> {
    const name = key(jobId, kind);
    for (let start = Math.max(0, Math.floor(position)); ; start += pageSize) {
      const page = await redis.lrange(name, start, start + pageSize - 1);
      for (const [offset, text] of page.entries()) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new StoreDamageError(jobId, name, `not a JSON ${what}: ${excerpt(text)}`, { line: start + offset + 1 });
        }
        if (!isShaped(value)) throw new StoreDamageError(jobId, name, `not a ${what} (${required}): ${excerpt(text)}`, { line: start + offset + 1 });
        yield value;
      }
      if (page.length < pageSize) return;
    }
  }

  const store: RedisBatchStore = {
    client: redis,

    async saveJob(job) {
      const text = JSON.stringify(job);
      await redis.multi().set(key(job.id, 'manifest'), text).incr(key(job.id, 'version')).sadd(jobsKey, job.id).exec().then(checkTransaction);
      await expireIfFinished(job);
    },

    async loadJob(jobId) {
      const text = await redis.get(key(jobId, 'manifest'));
      return text === null ? undefined : parseManifest(jobId, text);
    },

    async updateJob(jobId, change) {
      for (let attempt = 0; attempt < 100; attempt++) {
        const [[, text], [, version]] = (await redis.multi().get(key(jobId, 'manifest')).get(key(jobId, 'version')).exec().then(checkTransaction)) as [[null, string | null], [null, string | null]];
        if (text === null) return undefined;
        const updated = change(parseManifest(jobId, text));
        const saved = await redis.eval(compareAndSetManifestScript, 2, key(jobId, 'manifest'), key(jobId, 'version'), version ?? '0', JSON.stringify(updated));
        if (saved === 1) {
          await expireIfFinished(updated);
          return updated;
        }
      }
      throw new Error(`Job ${jobId}: the manifest changed under 100 updates in a row; giving up`);
    },

    async listJobs(listOptions = {}) {
      const ids = (await redis.smembers(jobsKey)).sort();
      const jobs: JobManifest[] = [];
      for (let start = 0; start < ids.length; start += pageSize) {
        const page = ids.slice(start, start + pageSize).filter((id) => /^[A-Za-z0-9_-]{1,128}$/.test(id));
        if (page.length === 0) continue;
        const texts = await redis.mget(page.map((id) => key(id, 'manifest')));
        const gone: string[] = [];
        page.forEach((id, index) => {
          const text = texts[index];
          // Expired (finishedJobTtlSeconds) or deleted: drop it from the index.
          if (text === null || text === undefined) return void gone.push(id);
          try {
            jobs.push(parseManifest(id, text));
          } catch (error) {
            // A damaged job is reported, never hidden, and does not hide the others.
            if (!StoreDamageError.isInstance(error)) throw error;
            listOptions.onDamaged?.(error);
          }
        });
        if (gone.length > 0) await redis.srem(jobsKey, ...gone);
      }
      return jobs;
    },

    async deleteJob(jobId) {
      const keys = await jobKeys(jobId);
      await redis.multi().del(...keys).srem(jobsKey, jobId).exec().then(checkTransaction);
    },

    async createRequestWriter(jobId, partIndex): Promise<RequestWriter> {
      const final = partKey(jobId, partIndex);
      // Written aside and renamed into place on close: a reader sees the old part or the whole new one.
      const writing = `${final}:writing:${randomBytes(6).toString('hex')}`;
      let buffer: string[] = [];
      let flushing: Promise<unknown> = Promise.resolve();
      let written = 0;
      const flush = (): Promise<unknown> => {
        if (buffer.length === 0) return flushing;
        const values = buffer;
        buffer = [];
        const first = written === 0;
        written += values.length;
        flushing = flushing.then(() => {
          const transaction = redis.multi().rpush(writing, ...values);
          if (first) transaction.expire(writing, unfinishedPartTtlSeconds);
          return transaction.exec().then(checkTransaction);
        });
        return flushing;
      };
      return {
        write(record) {
          buffer.push(JSON.stringify(record));
          if (buffer.length >= writeBatchSize) return flush().then(() => undefined);
        },
        async close() {
          await flush();
          if (written === 0) {
            await redis.multi().del(final).sadd(partsKey(jobId), final).exec().then(checkTransaction);
            return;
          }
          await redis.multi().rename(writing, final).persist(final).sadd(partsKey(jobId), final).exec().then(checkTransaction);
        },
      };
    },

    async *readRequests(jobId, partIndex) {
      const name = partKey(jobId, partIndex);
      for (let start = 0; ; start += pageSize) {
        const page = await redis.lrange(name, start, start + pageSize - 1);
        for (const [offset, text] of page.entries()) {
          try {
            yield JSON.parse(text) as StoredRequest;
          } catch (error) {
            if (error instanceof SyntaxError) throw new StoreDamageError(jobId, name, 'a request that is not JSON', { line: start + offset + 1, cause: error });
            throw error;
          }
        }
        if (page.length < pageSize) return;
      }
    },

    async appendResults(jobId, results) {
      if (results.length === 0) return;
      // One RPUSH: the results of one call are appended together, in order, or not at all.
      await redis.rpush(key(jobId, 'results'), ...results.map((result) => JSON.stringify(result)));
    },

    async appendNewResults(jobId, results) {
      if (results.length === 0) return 0;
      const args: string[] = [];
      for (const result of results) args.push(result.id, JSON.stringify(result));
      return Number(await redis.eval(appendNewResultsScript, 2, key(jobId, 'results'), key(jobId, 'journaled'), ...args));
    },

    async journaledIds(jobId, itemIds) {
      if (itemIds.length === 0) return new Set();
      const flags = await redis.hmget(key(jobId, 'journaled'), ...itemIds);
      return new Set(itemIds.filter((_, index) => flags[index] !== null));
    },

    async *readResults(jobId) {
      yield* store.readResultsFrom!(jobId, 0);
    },

    async *readResultsFrom(jobId, position) {
      yield* readList(jobId, 'results', position, isResultShaped, 'result', 'an "id" and a known "status" are required');
    },

    async appendRunEvents(jobId, events) {
      if (events.length === 0) return;
      await redis.rpush(key(jobId, 'events'), ...events.map((event) => JSON.stringify(event)));
    },

    async *readRunEvents(jobId) {
      yield* readList(jobId, 'events', 0, isRunEventShaped, 'run event', 'a known "type" and a numeric "at" are required');
    },

    async acquireLease(jobId, holder, ttlMs): Promise<LeaseAttempt> {
      const holderJson = JSON.stringify({ id: holder.id, host: holder.host, pid: holder.pid });
      const [granted, text] = (await redis.eval(acquireLeaseScript, 1, key(jobId, 'lease'), holderJson, holder.id, String(Math.max(1, Math.round(ttlMs))))) as [number, string];
      const lease = parseLease(text)!;
      return granted === 1 ? { acquired: true, lease } : { acquired: false, lease };
    },

    async renewLease(jobId, holder, ttlMs) {
      return (await redis.eval(renewLeaseScript, 1, key(jobId, 'lease'), holder.id, String(Math.max(1, Math.round(ttlMs))))) === 1;
    },

    async releaseLease(jobId, holder) {
      await redis.eval(releaseLeaseScript, 1, key(jobId, 'lease'), holder.id);
    },

    async readLease(jobId) {
      return parseLease(await redis.get(key(jobId, 'lease')));
    },

    async requestCancel(jobId) {
      await redis.set(key(jobId, 'cancel'), new Date().toISOString(), 'NX');
    },

    async cancelRequested(jobId) {
      return (await redis.get(key(jobId, 'cancel'))) ?? undefined;
    },

    async close() {
      if (ownsClient && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
  };
  return store;
}

/** Throws the first error of a MULTI's replies (ioredis resolves with [error, reply] pairs). */
function checkTransaction<T extends [Error | null, unknown][] | null>(replies: T): T {
  if (replies === null) throw new Error('A Redis transaction was aborted');
  for (const [error] of replies) if (error) throw error;
  return replies;
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/** The URL as it may be shown: without its password. */
function redactUrl(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:[REDACTED]@');
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
