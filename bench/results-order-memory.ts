/**
 * Heap growth of `client.results(jobId)` in input order (the default) for a large job in a file
 * store, against what it did before: a `Map` of every result by id, then the requests of every part
 * read in input order and each looked up.
 *
 * The job: `count` requests over 6 parts, request i in part i % 6 (as the planner splits by model),
 * about 1 KB of answer text per result, journaled in a scrambled order, and a terminal manifest, so
 * that the client reads it back without polling or collecting anything.
 *
 * Run: node --expose-gc --import tsx bench/results-order-memory.ts [count]   (default 300,000)
 * Imports the built package: run `npm run build` first. Prints one JSON object on one line.
 * Each step runs twice. The timed run: heap growth = peak `heapUsed` during the step minus
 * `heapUsed` before it (after a full GC), sampled every 1,000 results and every 5 ms (the timer also
 * covers the work before the first result); this includes garbage not yet collected, so it varies
 * with when V8 chooses to collect. The second run takes a full GC before each sample (every 10,000
 * results and on a timer, throttled): `peakHeldHeapGrowthMb` is what the step holds at its peak,
 * and what the limit applies to.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBatchClient,
  fileStore,
  type BatchClient,
  type JobManifest,
  type BatchProvider,
  type BatchResult,
  type BatchStore,
  type StoredRequest,
} from '../dist/index.js';
import { fakeBatchProvider } from '../dist/testing.js';

const megabyte = 1024 * 1024;
const partCount = 6;
const journalBatchSize = 1_000;
/** A prime: position (i * stride) % count visits every position once when count is not a multiple of it. */
const scrambleStride = 7_919;
const limitMb = 150;
const jobId = 'job_results_order';
const answerText = 'Streaming the journal through bucket files keeps the memory of an ordered read flat. '.repeat(12);

function parseCount(argument: string | undefined): number {
  const count = argument === undefined ? 300_000 : Number(argument);
  if (!Number.isInteger(count) || count < partCount) throw new TypeError(`results-order-memory: count must be an integer of at least ${partCount}, got ${JSON.stringify(argument)}`);
  if (count % scrambleStride === 0) throw new TypeError(`results-order-memory: count must not be a multiple of ${scrambleStride}, got ${count}`);
  return count;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

interface ProbeOptions {
  /**
   * Run a full GC before each sample, so that the peak is what the step holds rather than what the
   * collector has not yet reclaimed. The caller samples every 10,000 results; the timer (which also
   * covers work before the first result) skips a sample while the last GC is recent (less than
   * 4 × its duration ago, at least 50 ms), so that a large heap does not spend the step in GC.
   */
  readonly collect: boolean;
}

/** Samples heapUsed on a timer and on demand; returns the peak growth over the post-GC baseline. */
function heapProbe(options: ProbeOptions) {
  collectGarbage();
  const start = process.memoryUsage();
  let peakHeap = start.heapUsed;
  // Buffers live outside the JS heap: tracked too, so that results held in Buffers would show.
  let peakArrayBuffers = start.arrayBuffers;
  let nextCollectionAt = 0;
  const record = (): void => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
  };
  const sample = (): void => {
    if (!options.collect) return record();
    const started = performance.now();
    collectGarbage();
    record();
    const ended = performance.now();
    nextCollectionAt = ended + Math.max(50, 4 * (ended - started));
  };
  const timer = setInterval(() => {
    if (!options.collect || performance.now() >= nextCollectionAt) sample();
  }, options.collect ? 50 : 5);
  return {
    sample,
    /** How many results between two samples taken by the caller. */
    sampleEvery: options.collect ? 10_000 : 1_000,
    stop() {
      clearInterval(timer);
      if (options.collect) collectGarbage();
      record();
      return {
        baselineHeapMb: round(start.heapUsed / megabyte),
        peakHeapGrowthMb: round((peakHeap - start.heapUsed) / megabyte),
        peakArrayBuffersGrowthMb: round((peakArrayBuffers - start.arrayBuffers) / megabyte),
      };
    },
  };
}

function modelOf(partIndex: number): string {
  return `model-${partIndex}`;
}

function idOf(position: number): string {
  return `item_${position}`;
}

function requestAt(position: number): StoredRequest {
  return {
    index: position,
    request: { id: idOf(position), model: modelOf(position % partCount), maxTokens: 300, messages: [{ role: 'user', content: `Summarise document ${position}.` }] },
  };
}

function resultAt(position: number): BatchResult {
  return {
    id: idOf(position),
    status: 'succeeded',
    text: `${answerText}#${position}`,
    finishReason: 'stop',
    usage: { inputTokens: 12, outputTokens: 250, totalTokens: 262 },
    model: modelOf(position % partCount),
  };
}

function requestCountOfPart(count: number, partIndex: number): number {
  return Math.ceil((count - partIndex) / partCount);
}

/** Writes the job through the store API: requests per part, the journal in scrambled order, a terminal manifest. */
async function writeJob(store: BatchStore, count: number): Promise<void> {
  for (let partIndex = 0; partIndex < partCount; partIndex++) {
    const writer = await store.createRequestWriter(jobId, partIndex);
    for (let position = partIndex; position < count; position += partCount) await writer.write(requestAt(position));
    await writer.close();
  }
  let batch: BatchResult[] = [];
  for (let written = 0; written < count; written++) {
    batch.push(resultAt((written * scrambleStride) % count));
    if (batch.length === journalBatchSize) {
      await store.appendResults(jobId, batch);
      batch = [];
    }
  }
  await store.appendResults(jobId, batch);
  const now = new Date().toISOString();
  const countsOf = (total: number) => ({ total, succeeded: total, failed: 0, cancelled: 0, expired: 0, pending: 0 });
  const job: JobManifest = {
    id: jobId,
    provider: 'fake',
    mode: 'native',
    status: 'completed',
    counts: countsOf(count),
    createdAt: now,
    updatedAt: now,
    endedAt: now,
    parts: Array.from({ length: partCount }, (_, partIndex) => {
      const requestCount = requestCountOfPart(count, partIndex);
      return {
        id: `${jobId}_part_${partIndex}`,
        index: partIndex,
        providerBatchId: `fakebatch_${partIndex + 1}`,
        status: 'completed' as const,
        rawStatus: 'completed',
        requestCount,
        model: modelOf(partIndex),
        submitState: 'submitted' as const,
        reference: { id: `fakebatch_${partIndex + 1}` },
        counts: countsOf(requestCount),
        resultsStored: true,
      };
    }),
    metadata: {},
    warnings: [],
  };
  await store.saveJob(job);
}

/** The fake provider with its provider calls counted: reading a stored terminal job must make none. */
function countingProvider(): { provider: BatchProvider; calls: { poll: number; results: number; submit: number } } {
  const fake = fakeBatchProvider();
  const calls = { poll: 0, results: 0, submit: 0 };
  const provider: BatchProvider = {
    ...fake,
    poll: (...args) => {
      calls.poll++;
      return fake.poll(...args);
    },
    results: (...args) => {
      calls.results++;
      return fake.results(...args);
    },
    submit: (...args) => {
      calls.submit++;
      return fake.submit(...args);
    },
  };
  return { provider, calls };
}

function checkOrder(result: BatchResult, position: number): void {
  if (result.id !== idOf(position)) throw new Error(`results-order-memory: result at position ${position} has id ${JSON.stringify(result.id)}, expected ${idOf(position)}`);
}

function checkCount(step: string, seen: number, count: number): void {
  if (seen !== count) throw new Error(`results-order-memory: ${step} gave ${seen} results, expected ${count}`);
}

/** One read of `client.results(jobId)` to the end, ids checked in input order. */
async function readOurs(client: BatchClient, count: number, options: ProbeOptions) {
  const probe = heapProbe(options);
  const started = performance.now();
  let seen = 0;
  for await (const result of client.results(jobId)) {
    checkOrder(result, seen);
    seen++;
    if (seen % probe.sampleEvery === 0) probe.sample();
  }
  const seconds = (performance.now() - started) / 1000;
  const memory = probe.stop();
  checkCount('client.results()', seen, count);
  return { results: seen, seconds: round(seconds), ...memory };
}

/** The former approach: every result in a Map by id (first wins), then the requests in input order, each looked up. */
async function readFormer(store: BatchStore, count: number, options: ProbeOptions) {
  const probe = heapProbe(options);
  const started = performance.now();
  const byId = new Map<string, BatchResult>();
  let read = 0;
  for await (const result of store.readResults(jobId)) {
    if (!byId.has(result.id)) byId.set(result.id, result);
    read++;
    if (read % probe.sampleEvery === 0) probe.sample();
  }
  let seen = 0;
  const parts = Array.from({ length: partCount }, (_, partIndex) => store.readRequests(jobId, partIndex));
  for await (const { request } of mergeByIndex(parts)) {
    const result = byId.get(request.id);
    if (result === undefined) continue;
    checkOrder(result, seen);
    seen++;
    if (seen % probe.sampleEvery === 0) probe.sample();
  }
  const seconds = (performance.now() - started) / 1000;
  const memory = probe.stop();
  checkCount('the in-memory map', seen, count);
  return { results: seen, seconds: round(seconds), ...memory };
}

/**
 * A timed read (peak heapUsed, garbage included, as the process sees it), then a second read with a
 * full GC before every sample (the peak of what the read holds).
 */
async function measure(read: (options: ProbeOptions) => ReturnType<typeof readOurs>) {
  const timed = await read({ collect: false });
  const held = await read({ collect: true });
  return { ...timed, peakHeldHeapGrowthMb: held.peakHeapGrowthMb };
}

/** Streams each sorted by `index`, merged into input order (a copy of the client's own merge). */
async function* mergeByIndex(streams: AsyncIterable<StoredRequest>[]): AsyncGenerator<StoredRequest> {
  const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
  const heads = await Promise.all(iterators.map(async (iterator) => (await iterator.next()).value as StoredRequest | undefined));
  while (true) {
    let smallest = -1;
    for (let position = 0; position < heads.length; position++) {
      const head = heads[position];
      if (head !== undefined && (smallest === -1 || head.index < heads[smallest]!.index)) smallest = position;
    }
    if (smallest === -1) return;
    yield heads[smallest]!;
    heads[smallest] = (await iterators[smallest]!.next()).value as StoredRequest | undefined;
  }
}

const count = parseCount(process.argv[2]);
const directory = await mkdtemp(join(tmpdir(), 'llm-batch-bench-order-'));
try {
  const store = fileStore({ dir: directory });
  await writeJob(store, count);
  const journalBytes = (await stat(join(directory, jobId, 'results.jsonl'))).size;
  const { provider, calls } = countingProvider();
  const client = createBatchClient({ provider, store });
  const job = await client.status(jobId);
  // Whether each part's results are stored is the manifest's business, not the public job's.
  const stored = await store.loadJob(jobId);
  if (job.status !== 'completed' || !stored?.parts.every((part) => part.resultsStored)) {
    throw new Error(`results-order-memory: status() changed the stored job to ${job.status} with resultsStored ${stored?.parts.map((part) => part.resultsStored).join(',')}`);
  }
  const ours = await measure((options) => readOurs(client, count, options));
  if (calls.poll + calls.results + calls.submit > 0) throw new Error(`results-order-memory: reading a stored terminal job called the provider: ${JSON.stringify(calls)}`);
  await client.close();
  const baseline = await measure((options) => readFormer(store, count, options));
  console.log(
    JSON.stringify({
      benchmark: 'results-order-memory',
      node: process.version,
      results: count,
      parts: partCount,
      journalMb: round(journalBytes / megabyte),
      ours,
      baseline,
      limitMb,
      // On what the read holds: the timed peak also counts garbage V8 has not yet collected.
      pass: ours.peakHeldHeapGrowthMb < limitMb,
    }),
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
