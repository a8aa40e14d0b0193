import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { batchJobSchema, type BatchJob } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchStore, RequestWriter, StoredRequest } from './batch-store.js';

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /**
   * The folder that holds one sub-folder per job.
   * @default process.env.LLM_BATCH_DIR ?? './.llm-batch'
   */
  readonly dir?: string;
}

// Files holding prompts and answers are readable by their owner only.
const privateFileMode = 0o600;
const privateDirectoryMode = 0o700;
const manifestName = 'job.json';
const journalName = 'results.jsonl';
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
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
    throw new TypeError(`fileStore: option "dir" must be a non-empty string, got ${JSON.stringify(options.dir)}`);
  }
  const root = resolve(options.dir ?? process.env.LLM_BATCH_DIR ?? '.llm-batch');
  const appenders = new Map<string, JournalAppender>();

  const jobDirectory = (jobId: string): string => {
    // Job ids become folder names: refuse anything that could leave the store.
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(jobId)) throw new TypeError(`Invalid job id ${JSON.stringify(jobId)}`);
    return join(root, jobId);
  };

  async function ensureJobDirectory(jobId: string): Promise<string> {
    const directory = jobDirectory(jobId);
    await mkdir(directory, { recursive: true, mode: privateDirectoryMode });
    return directory;
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
      const target = join(directory, manifestName);
      const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const handle = await open(temporary, 'w', privateFileMode);
      try {
        await handle.writeFile(JSON.stringify(job, null, 2));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    },

    async loadJob(jobId) {
      let text: string;
      try {
        text = await readFile(join(jobDirectory(jobId), manifestName), 'utf8');
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      return batchJobSchema.parse(JSON.parse(text));
    },

    async listJobs() {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
      const jobs: BatchJob[] = [];
      for (const name of names.sort()) {
        if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) continue;
        const job = await this.loadJob(name).catch(() => undefined);
        if (job) jobs.push(job);
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
      for await (const line of readLines(path)) {
        try {
          yield JSON.parse(line) as BatchResult;
        } catch {
          // A torn line: the process died mid-append. The item has no terminal result and runs again.
        }
      }
    },
  };
}

function requestsFileName(partIndex: number): string {
  return `requests-${partIndex}.jsonl`;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
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
        // A previous process may have died mid-line: start on a fresh line so the next record is whole.
        const { size } = await handle.stat();
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) text = `\n${text}`;
        }
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
