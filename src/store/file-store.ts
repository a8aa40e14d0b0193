import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreDamageError } from '../errors/store-damage-error.js';
import { jobManifestSchema, type JobManifest } from '../models/batch-job.js';
import type { BatchStore } from './batch-store.js';
import { FileLease } from './file-lease.js';
import { isNotFound } from './is-not-found.js';
import { JournalAppender, readJournal } from './journal-file.js';
import { JournalIndex, readEventJournal, readJournalFrom } from './journal-index.js';
import { mapStoreWriteError } from './map-store-write-error.js';
import { privateDirectoryMode, privateFileMode } from './private-file-modes.js';
import { BufferedRequestWriter, readRequestFile } from './request-file.js';
import { writeFileAtomically } from './write-file-atomically.js';
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

const manifestName = 'job.json';
const journalName = 'results.jsonl';
const eventsName = 'events.jsonl';
const leaseName = 'lease.json';
const cancelName = 'cancel-requested';

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
      throw mapStoreWriteError(root, error);
    }
    return directory;
  }

  const lease = (jobId: string): FileLease => new FileLease(join(jobDirectory(jobId), leaseName), root);

  function appender(jobId: string): JournalAppender {
    let journal = appenders.get(jobId);
    if (!journal) {
      journal = new JournalAppender(join(jobDirectory(jobId), journalName));
      appenders.set(jobId, journal);
    }
    return journal;
  }

  const eventAppenders = new Map<string, JournalAppender>();
  /** Sparse indexes of the journals read from a position (the viewer's deep pages), one per job. */
  const indexes = new Map<string, JournalIndex>();

  return {
    async saveJob(job) {
      const directory = await ensureJobDirectory(job.id);
      await writeFileAtomically(join(directory, manifestName), JSON.stringify(job, null, 2), root);
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
      eventAppenders.delete(jobId);
      indexes.delete(jobId);
      await rm(jobDirectory(jobId), { recursive: true, force: true });
    },

    async createRequestWriter(jobId, partIndex) {
      const directory = await ensureJobDirectory(jobId);
      const handle = await open(join(directory, requestsFileName(partIndex)), 'w', privateFileMode);
      return new BufferedRequestWriter(handle);
    },

    async *readRequests(jobId, partIndex) {
      yield* readRequestFile(join(jobDirectory(jobId), requestsFileName(partIndex)));
    },

    async appendResults(jobId, results) {
      if (results.length === 0) return;
      // The folder is made before the job's first append, not before every one: a recursive mkdir
      // per append was a quarter of the client's CPU on a 100,000-request job.
      if (!appenders.has(jobId)) await ensureJobDirectory(jobId);
      let text = '';
      for (const result of results) text += `${JSON.stringify(result)}\n`;
      await appender(jobId).append(text);
    },

    async *readResults(jobId) {
      yield* readJournal(jobId, join(jobDirectory(jobId), journalName));
    },

    async *readResultsFrom(jobId, position) {
      const path = join(jobDirectory(jobId), journalName);
      let index = indexes.get(jobId);
      if (!index) {
        index = new JournalIndex(path);
        indexes.set(jobId, index);
      }
      yield* readJournalFrom(jobId, path, index, Math.max(0, Math.floor(position)));
    },

    async appendRunEvents(jobId, events) {
      if (events.length === 0) return;
      let journal = eventAppenders.get(jobId);
      if (!journal) {
        await ensureJobDirectory(jobId);
        journal = new JournalAppender(join(jobDirectory(jobId), eventsName));
        eventAppenders.set(jobId, journal);
      }
      let text = '';
      for (const event of events) text += `${JSON.stringify(event)}\n`;
      await journal.append(text);
    },

    async *readRunEvents(jobId) {
      yield* readEventJournal(jobId, join(jobDirectory(jobId), eventsName));
    },

    async acquireLease(jobId, holder, ttlMs) {
      await ensureJobDirectory(jobId);
      return lease(jobId).acquire(holder, ttlMs);
    },

    async renewLease(jobId, holder, ttlMs) {
      return lease(jobId).renew(holder, ttlMs);
    },

    async releaseLease(jobId, holder) {
      await lease(jobId).release(holder);
    },

    async readLease(jobId) {
      return lease(jobId).read();
    },

    async requestCancel(jobId) {
      if ((await this.cancelRequested(jobId)) !== undefined) return;
      const directory = await ensureJobDirectory(jobId);
      await writeFileAtomically(join(directory, cancelName), new Date().toISOString(), root);
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

function requestsFileName(partIndex: number): string {
  return `requests-${partIndex}.jsonl`;
}
