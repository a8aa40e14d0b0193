import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { StoreDamageError } from '../errors/store-damage-error.js';
import { jobManifestSchema, type JobManifest } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchStore, JobLease, LeaseHolder, RequestWriter, StoredRequest } from './batch-store.js';
import { isResultShaped } from './is-result-shaped.js';
import { isLeaseLive } from './lease-liveness.js';
import { checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /**
   * The folder that holds one sub-folder per job.
   * @default process.env.LLM_BATCH_DIR ?? './.llm-batch'
   */
  readonly dir?: string;
}

const fileStoreOptionNames = optionNames<FileStoreOptions>({ dir: true });

// Files holding prompts and answers are readable by their owner only.
const privateFileMode = 0o600;
const privateDirectoryMode = 0o700;
const manifestName = 'job.json';
const journalName = 'results.jsonl';
const leaseName = 'lease.json';
const cancelName = 'cancel-requested';
const requestWriteBufferBytes = 1 << 20;

/**
 * The default store: a folder per job with an atomically written manifest (`job.json`: temp file,
 * fsync, rename), the normalized requests (`requests-<part>.jsonl`) and an append-only results
 * journal (`results.jsonl`). A process killed mid-write leaves a store that `resume` reads: the
 * manifest is old or new, never torn, and a torn last journal line is ignored.
 *
 * @example
 * const client = createBatchClient({ provider, store: fileStore({ dir: './jobs' }) });
 */
export function fileStore(options: FileStoreOptions = {}): BatchStore {
  checkOptionKeys('fileStore()', options, fileStoreOptionNames);
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) failOption('fileStore()', 'dir', 'a non-empty string', options.dir);
  const root = resolve(options.dir ?? process.env.LLM_BATCH_DIR ?? '.llm-batch');
  const appenders = new Map<string, JournalAppender>();

  const jobDirectory = (jobId: string): string => {
    // Job ids become folder names: refuse anything that could leave the store.
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(jobId)) throw new TypeError(`Invalid job id ${JSON.stringify(jobId)}`);
    return join(root, jobId);
  };

  async function ensureJobDirectory(jobId: string): Promise<string> {
    const directory = jobDirectory(jobId);
    try {
      await mkdir(directory, { recursive: true, mode: privateDirectoryMode });
    } catch (error) {
      throw unwritable(root, error);
    }
    return directory;
  }

  async function writeFileAtomically(target: string, text: string): Promise<void> {
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: FileHandle;
    try {
      handle = await open(temporary, 'w', privateFileMode);
    } catch (error) {
      throw unwritable(root, error);
    }
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  }

  async function readLeaseFile(jobId: string): Promise<JobLease | undefined> {
    let text: string;
    try {
      text = await readFile(join(jobDirectory(jobId), leaseName), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return parseLease(text);
  }

  function appender(jobId: string): JournalAppender {
    let journal = appenders.get(jobId);
    if (!journal) {
      journal = new JournalAppender(join(jobDirectory(jobId), journalName));
      appenders.set(jobId, journal);
    }
    return journal;
  }

  return {
    async saveJob(job) {
      const directory = await ensureJobDirectory(job.id);
      await writeFileAtomically(join(directory, manifestName), JSON.stringify(job, null, 2));
    },

    async loadJob(jobId) {
      const path = join(jobDirectory(jobId), manifestName);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new StoreDamageError(jobId, path, `the manifest is not JSON (${(error as Error).message})`, { cause: error });
      }
      const parsed = jobManifestSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.length === 0 ? 'the manifest' : `field "${issue.path.join('.')}"`;
        throw new StoreDamageError(jobId, path, `${field}: ${issue.message}`, { cause: parsed.error });
      }
      return parsed.data;
    },

    async listJobs(options = {}) {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
      const jobs: JobManifest[] = [];
      for (const name of names.sort()) {
        if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) continue;
        try {
          const job = await this.loadJob(name);
          if (job) jobs.push(job);
        } catch (error) {
          // A damaged job is reported, never hidden, and does not hide the others.
          if (!StoreDamageError.isInstance(error)) throw error;
          options.onDamaged?.(error);
        }
      }
      return jobs;
    },

    async deleteJob(jobId) {
      appenders.delete(jobId);
      await rm(jobDirectory(jobId), { recursive: true, force: true });
    },

    async createRequestWriter(jobId, partIndex) {
      const directory = await ensureJobDirectory(jobId);
      const handle = await open(join(directory, requestsFileName(partIndex)), 'w', privateFileMode);
      return new BufferedRequestWriter(handle);
    },

    async *readRequests(jobId, partIndex) {
      const path = join(jobDirectory(jobId), requestsFileName(partIndex));
      for await (const line of readLines(path)) {
        yield JSON.parse(line) as StoredRequest;
      }
    },

    async appendResults(jobId, results) {
      if (results.length === 0) return;
      await ensureJobDirectory(jobId);
      let text = '';
      for (const result of results) text += `${JSON.stringify(result)}\n`;
      await appender(jobId).append(text);
    },

    async *readResults(jobId) {
      const path = join(jobDirectory(jobId), journalName);
      // One line of lookahead: only the last line may be torn (a process died mid-append, or a
      // writer is appending right now). Appends cut a torn tail off first, so a bad line anywhere
      // else is damage, and is reported rather than dropped.
      let previous: { text: string; number: number; torn: boolean } | undefined;
      const parse = (line: { text: string; number: number; torn: boolean }): BatchResult => {
        let value: unknown;
        try {
          value = JSON.parse(line.text);
        } catch {
          throw new StoreDamageError(jobId, path, `not a JSON result: ${excerpt(line.text)}`, { line: line.number });
        }
        if (!isResultShaped(value)) {
          throw new StoreDamageError(jobId, path, `not a result (an "id" and a known "status" are required): ${excerpt(line.text)}`, {
            line: line.number,
          });
        }
        return value;
      };
      for await (const line of readNumberedLines(path)) {
        if (previous !== undefined) yield parse(previous);
        previous = line;
      }
      if (previous === undefined) return;
      let last: BatchResult | undefined;
      try {
        last = parse(previous);
      } catch (error) {
        // Torn: no terminal result for that item, which runs again.
        if (!previous.torn) throw error;
      }
      if (last !== undefined) yield last;
    },

    async acquireLease(jobId, holder, ttlMs) {
      const directory = await ensureJobDirectory(jobId);
      const path = join(directory, leaseName);
      for (let attempt = 0; ; attempt++) {
        const now = Date.now();
        const lease: JobLease = { holder: { ...holder }, acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
        const current = await readLeaseFile(jobId);
        if (current !== undefined && current.holder.id === holder.id) {
          const renewed = { ...current, expiresAt: lease.expiresAt };
          await writeFileAtomically(path, JSON.stringify(renewed));
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
        await writeFileAtomically(temporary, JSON.stringify(lease));
        try {
          await link(temporary, path);
          return { acquired: true, lease };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw error;
        } finally {
          await unlink(temporary).catch(() => undefined);
        }
      }
    },

    async renewLease(jobId, holder, ttlMs) {
      const current = await readLeaseFile(jobId);
      if (current === undefined || current.holder.id !== holder.id) return false;
      const renewed: JobLease = { ...current, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
      await writeFileAtomically(join(jobDirectory(jobId), leaseName), JSON.stringify(renewed));
      return true;
    },

    async releaseLease(jobId, holder) {
      const current = await readLeaseFile(jobId);
      if (current?.holder.id !== holder.id) return;
      await unlink(join(jobDirectory(jobId), leaseName)).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    },

    readLease(jobId) {
      return readLeaseFile(jobId);
    },

    async requestCancel(jobId) {
      if ((await this.cancelRequested(jobId)) !== undefined) return;
      const directory = await ensureJobDirectory(jobId);
      await writeFileAtomically(join(directory, cancelName), new Date().toISOString());
    },

    async cancelRequested(jobId) {
      try {
        const text = (await readFile(join(jobDirectory(jobId), cancelName), 'utf8')).trim();
        return text === '' ? new Date(0).toISOString() : text;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
  };
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

function unwritable(root: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EEXIST', 'ENOSPC'].includes(code)) return error;
  return new LlmBatchError(
    `The job store ${root} cannot be written (${code}: ${(error as Error).message}); ` +
      'pass --store DIR (or set LLM_BATCH_DIR, or fileStore({ dir })) to a folder this process can write',
    { code: 'store_unwritable', cause: error },
  );
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function requestsFileName(partIndex: number): string {
  return `requests-${partIndex}.jsonl`;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Lines with their 1-based numbers; `torn` marks a last line with no newline after it. */
async function* readNumberedLines(path: string): AsyncGenerator<{ text: string; number: number; torn: boolean }> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  let endsWithNewline = true;
  if (size > 0) {
    const handle = await open(path, 'r');
    try {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      endsWithNewline = last[0] === 0x0a;
    } finally {
      await handle.close();
    }
  }
  // Read no further than the size seen above: an append made meanwhile is for the next read.
  const lines = createInterface({ input: createReadStream(path, { end: Math.max(0, size - 1) }), crlfDelay: Infinity });
  let number = 0;
  let pending: { text: string; number: number } | undefined;
  try {
    if (size === 0) return;
    for await (const text of lines) {
      number++;
      if (pending !== undefined) yield { ...pending, torn: false };
      pending = text.trim() === '' ? undefined : { text, number };
    }
    if (pending !== undefined) yield { ...pending, torn: !endsWithNewline };
  } finally {
    lines.close();
  }
}

async function* readLines(path: string): AsyncGenerator<string> {
  try {
    await stat(path);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() !== '') yield line;
    }
  } finally {
    lines.close();
  }
}

async function cutTornTail(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (first && newline === bytesRead - 1) return;
    first = false;
    if (newline >= 0) {
      await handle.truncate(start + newline + 1);
      return;
    }
    end = start;
  }
  await handle.truncate(0);
}

class BufferedRequestWriter implements RequestWriter {
  private buffer = '';

  constructor(private readonly handle: FileHandle) {}

  async write(record: StoredRequest): Promise<void> {
    this.buffer += `${JSON.stringify(record)}\n`;
    if (this.buffer.length >= requestWriteBufferBytes) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    await this.handle.appendFile(text);
  }
}

/**
 * Serialises appends to one journal and coalesces those that arrive while a write is under way
 * into the next write, so many workers finishing at once cost one system call, not one each.
 * The file is opened per write and closed again: no descriptor outlives the write.
 */
class JournalAppender {
  private pending = '';
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private writing = false;
  private checkedTail = false;

  constructor(private readonly path: string) {}

  append(text: string): Promise<void> {
    this.pending += text;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) void this.drain();
    return done;
  }

  private async write(text: string): Promise<void> {
    const handle = await open(this.path, 'a+', privateFileMode);
    try {
      if (!this.checkedTail) {
        // A previous process may have died mid-line: cut that torn line off, so that a bad line
        // can only ever be the last one, and any other is damage worth reporting.
        await cutTornTail(handle);
        this.checkedTail = true;
      }
      await handle.appendFile(text);
    } finally {
      await handle.close();
    }
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending !== '') {
        const text = this.pending;
        const waiters = this.waiters;
        this.pending = '';
        this.waiters = [];
        try {
          await this.write(text);
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of waiters) waiter.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
