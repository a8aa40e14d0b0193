import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchStore } from '../store/batch-store.js';

/** Options of {@link resultsInInputOrder}. */
export interface ResultsInInputOrderOptions {
  readonly store: BatchStore;
  readonly job: JobManifest;
  readonly signal?: AbortSignal | undefined;
  /**
   * Results held in memory at once. A job with more requests than this is ordered through
   * temporary files (one per this many requests), so memory does not grow with the job.
   * @default 50_000
   */
  readonly bucketSize?: number;
}

/**
 * The job's results, one per request that has one, in the order the requests were submitted. The
 * journal is read once; the first result journaled for an id wins (a later one is a duplicate).
 *
 * Memory: a map from id to input position (about 100 bytes per request), plus the results of one
 * bucket. A job of up to `bucketSize` requests is one bucket, ordered in memory; a larger one is
 * spread over temporary files by position (private to the user, deleted at the end, also when the
 * caller stops early), then each file is read back and ordered in turn.
 */
export async function* resultsInInputOrder(options: ResultsInInputOrderOptions): AsyncGenerator<BatchResult> {
  const { store, job, signal } = options;
  const bucketSize = options.bucketSize ?? 50_000;
  const positionById = new Map<string, number>();
  let total = 0;
  for (const part of job.parts) {
    for await (const { index, request } of store.readRequests(job.id, part.index)) {
      signal?.throwIfAborted();
      positionById.set(request.id, index);
      total = Math.max(total, index + 1);
    }
  }
  if (total <= bucketSize) {
    yield* orderInMemory(store, job.id, positionById, total, signal);
    return;
  }
  const spill = await Spill.create(Math.ceil(total / bucketSize));
  try {
    const seen = new Uint8Array(total);
    for await (const result of store.readResults(job.id)) {
      signal?.throwIfAborted();
      const position = positionById.get(result.id);
      if (position === undefined || seen[position] === 1) continue;
      seen[position] = 1;
      await spill.write(Math.floor(position / bucketSize), `${position}\t${JSON.stringify(result)}\n`);
    }
    positionById.clear();
    await spill.flush();
    for (let bucket = 0; bucket < spill.buckets; bucket++) {
      const start = bucket * bucketSize;
      const slots: (BatchResult | undefined)[] = new Array(Math.min(bucketSize, total - start));
      for await (const line of spill.read(bucket)) {
        const tab = line.indexOf('\t');
        slots[Number(line.slice(0, tab)) - start] = JSON.parse(line.slice(tab + 1)) as BatchResult;
      }
      for (const result of slots) {
        signal?.throwIfAborted();
        if (result !== undefined) yield result;
      }
    }
  } finally {
    await spill.remove();
  }
}

async function* orderInMemory(
  store: BatchStore,
  jobId: string,
  positionById: ReadonlyMap<string, number>,
  total: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<BatchResult> {
  const slots: (BatchResult | undefined)[] = new Array(total);
  for await (const result of store.readResults(jobId)) {
    signal?.throwIfAborted();
    const position = positionById.get(result.id);
    if (position !== undefined && slots[position] === undefined) slots[position] = result;
  }
  for (const result of slots) {
    signal?.throwIfAborted();
    if (result !== undefined) yield result;
  }
}

/** Temporary bucket files, written through small buffers. */
class Spill {
  readonly #files: FileHandle[];
  readonly #pending: string[];

  private constructor(
    readonly directory: string,
    files: FileHandle[],
  ) {
    this.#files = files;
    this.#pending = files.map(() => '');
  }

  static async create(buckets: number): Promise<Spill> {
    // mkdtemp makes the folder 0700: the results stay private to the user.
    const directory = await mkdtemp(join(tmpdir(), 'llm-batch-order-'));
    const files: FileHandle[] = [];
    try {
      for (let bucket = 0; bucket < buckets; bucket++) files.push(await open(join(directory, `${bucket}.jsonl`), 'w', 0o600));
    } catch (error) {
      await Promise.all(files.map((file) => file.close()));
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
    return new Spill(directory, files);
  }

  get buckets(): number {
    return this.#files.length;
  }

  async write(bucket: number, line: string): Promise<void> {
    const pending = (this.#pending[bucket] ?? '') + line;
    if (pending.length < 64 * 1024) {
      this.#pending[bucket] = pending;
      return;
    }
    this.#pending[bucket] = '';
    await this.#files[bucket]!.write(pending);
  }

  async flush(): Promise<void> {
    for (let bucket = 0; bucket < this.#files.length; bucket++) {
      const pending = this.#pending[bucket] ?? '';
      this.#pending[bucket] = '';
      if (pending !== '') await this.#files[bucket]!.write(pending);
    }
  }

  read(bucket: number): AsyncIterable<string> {
    return createInterface({ input: createReadStream(join(this.directory, `${bucket}.jsonl`), { encoding: 'utf8' }), crlfDelay: Infinity });
  }

  async remove(): Promise<void> {
    await Promise.all(this.#files.map((file) => file.close().catch(() => undefined)));
    await rm(this.directory, { recursive: true, force: true });
  }
}
