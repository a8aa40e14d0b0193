import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { emulated, type EmulatedOptions } from '../adapters/emulated/index.js';
import { classifyError } from '../errors/classify-error.js';
import type { BatchResult } from '../models/batch-result.js';
import type { CallStrategy } from '../provider/call-strategy.js';
import { delay } from '../retry/delay.js';
import { checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';
import { gateKeys, openConnection, partKeys } from './distributed-keys.js';
import { coolDownScript, recordResultScript, takeSlotScript } from './distributed-lua.js';
import { checkQueueName, recordCancelled, runnerPrefix, type ChunkData } from './distributed-provider.js';

/** Options of {@link createBatchWorker}. */
export interface BatchWorkerOptions {
  /** The Redis of the queue: a `redis://` URL, or an ioredis client made with `maxRetriesPerRequest: null`. */
  readonly connection: string | Redis;
  /** The queue `distributed({ queue })` fills. */
  readonly queue: string;
  /** How each request is called: the same call strategy configuration on every worker. */
  readonly call: CallStrategy;
  /** Calls at once in this worker. @default 16 */
  readonly concurrency?: number;
  /**
   * The rate limit of the whole cluster (every worker of the queue together): calls are spread over
   * one schedule kept in Redis. Give every worker the same value. Unlimited when absent (a 429 still
   * pauses every worker through the shared cooldown).
   */
  readonly requestsPerMinute?: number;
  /** Must match `distributed({ prefix })`. @default 'llm-batch:distributed' */
  readonly prefix?: string;
  /**
   * How long a worker's hold on a chunk lasts without renewal: a killed worker's chunk goes back to
   * the queue (BullMQ's stalled-job recovery) after at most about twice this. @default 30_000
   */
  readonly lockDurationMs?: number;
  /** Other options of the emulated engine each chunk runs with (retry, timeoutMs, middleware ...). */
  readonly emulated?: Omit<EmulatedOptions, 'call' | 'concurrency'>;
}

/** A running worker. */
export interface BatchWorker {
  /** Finishes the chunks in hand, then stops taking new ones and closes its connections. */
  close(): Promise<void>;
  /** Results this worker recorded (items that already had one are not counted). */
  readonly recorded: number;
}

const workerOptionNames = optionNames<BatchWorkerOptions>({
  connection: true,
  queue: true,
  call: true,
  concurrency: true,
  requestsPerMinute: true,
  prefix: true,
  lockDurationMs: true,
  emulated: true,
});
/**
 * Calls at once per chunk: a worker runs `concurrency / 4` chunks at once, so that a chunk's last
 * calls (a wave that is not full) leave few call slots idle, and a new chunk starts as soon as one ends.
 */
const callsPerChunk = 4;

/**
 * A worker of a {@link distributed} queue, in this process: takes chunks of items from the queue
 * and runs them with the emulated engine (retries, timeouts, middleware) over `call`, at most
 * `concurrency` calls at once, every call through the cluster's shared rate schedule and
 * cooldown. Each result is recorded in Redis once per item id: a chunk delivered again calls only
 * the items that have no result. A cancel of the job stops the chunks in hand at once.
 *
 * Needs the optional peer dependencies `ioredis` and `bullmq`.
 *
 * @example
 * const worker = await createBatchWorker({ connection: 'redis://localhost:6379', queue: 'nightly', call: openaiChat(), concurrency: 32, requestsPerMinute: 5_000 });
 * process.on('SIGTERM', () => void worker.close());
 */
export async function createBatchWorker(options: BatchWorkerOptions): Promise<BatchWorker> {
  const where = 'createBatchWorker()';
  if (typeof options !== 'object' || options === null) failOption(where, 'options', 'an object with connection, queue and call', options);
  checkOptionKeys(where, options, workerOptionNames);
  checkQueueName(where, options.queue);
  if (typeof options.call !== 'object' || options.call === null || typeof options.call.call !== 'function') failOption(where, 'call', 'a call strategy (openaiChat(), anthropicMessages() ...)', options.call);
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1) failOption(where, 'concurrency', 'a whole number of at least 1', concurrency);
  const rpm = options.requestsPerMinute;
  if (rpm !== undefined && (typeof rpm !== 'number' || !(rpm > 0))) failOption(where, 'requestsPerMinute', 'a positive number', rpm);
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  if (!Number.isInteger(lockDurationMs) || lockDurationMs < 1_000) failOption(where, 'lockDurationMs', 'a whole number of at least 1,000', lockDurationMs);

  const prefix = runnerPrefix(options.prefix, options.queue);
  const { redis, owned } = openConnection(options.connection);
  const gate = gateKeys(prefix);
  const intervalMs = rpm === undefined ? undefined : 60_000 / rpm;
  const strategy = options.call;

  /** Waits for the call's slot in the cluster's schedule (and for a cooldown any worker set). */
  async function waitForSlot(signal: AbortSignal): Promise<void> {
    let waitMs: number;
    if (intervalMs !== undefined) {
      waitMs = Number(await redis.eval(takeSlotScript, 2, gate.slot, gate.cooldown, String(intervalMs)));
    } else {
      const until = Number((await redis.get(gate.cooldown)) ?? 0);
      waitMs = until - Date.now();
    }
    if (waitMs > 0) await delay(waitMs, { signal });
  }

  // The call strategy with the cluster's gate in front of every call (retries included).
  const gated: CallStrategy = {
    name: strategy.name,
    ...(strategy.model === undefined ? {} : { model: strategy.model }),
    ...(strategy.prepare === undefined ? {} : { prepare: () => strategy.prepare!() }),
    ...(strategy.cleanup === undefined ? {} : { cleanup: () => strategy.cleanup!() }),
    ...(strategy.preview === undefined ? {} : { preview: (request) => strategy.preview!(request) }),
    ...(strategy.maxOutputTokens === undefined ? {} : { maxOutputTokens: (request) => strategy.maxOutputTokens!(request) }),
    async call(request, context) {
      await waitForSlot(context.signal);
      try {
        return await strategy.call(request, context);
      } catch (error) {
        const classification = classifyError(error);
        // One cooldown for every worker: the provider said to slow down.
        if (classification.category === 'rate_limit') await redis.eval(coolDownScript, 1, gate.cooldown, String(Math.max(250, Math.min(classification.retryAfterMs ?? 1_000, 60_000))));
        throw error;
      }
    },
  };
  const chunksAtOnce = Math.max(1, Math.ceil(concurrency / callsPerChunk));
  const provider = emulated({ ...options.emulated, call: gated, concurrency: Math.max(1, Math.ceil(concurrency / chunksAtOnce)) });
  let recorded = 0;

  async function record(keys: ReturnType<typeof partKeys>, result: BatchResult): Promise<void> {
    const added = await redis.eval(recordResultScript, 2, keys.results, keys.counts, result.id, JSON.stringify(result), result.status);
    if (added === 1) recorded++;
  }

  async function processChunk(job: Job<ChunkData>): Promise<void> {
    const { partId, requests } = job.data;
    const keys = partKeys(prefix, partId);
    const ids = requests.map((request) => request.id);
    const done = ids.length === 0 ? [] : await redis.hmget(keys.results, ...ids);
    const pending = requests.filter((_, index) => done[index] === null);
    if (pending.length === 0) return;
    if ((await redis.exists(keys.cancel)) === 1) {
      await recordCancelled(redis, keys, pending.map((request) => request.id));
      return;
    }
    const reference = await provider.submit(
      {
        jobId: job.data.jobId,
        partId: `${partId}-${job.id ?? 'chunk'}`,
        index: 0,
        requestCount: pending.length,
        metadata: {},
        async *requests() {
          yield* pending;
        },
      },
      { checkpoint: async () => {}, recordResult: (result) => record(keys, result), warn: () => {} },
    );
    let cancelled = false;
    const watcher = setInterval(() => {
      void redis.exists(keys.cancel).then((flag) => {
        if (flag === 1 && !cancelled) {
          cancelled = true;
          void provider.cancel(reference, { warn: () => {} });
        }
      }, () => undefined);
    }, 250);
    try {
      await provider.waitForRun!(reference);
    } finally {
      clearInterval(watcher);
      await provider.cleanup?.(reference, { warn: () => {} });
    }
    if (cancelled || (await redis.exists(keys.cancel)) === 1) await recordCancelled(redis, keys, pending.map((request) => request.id));
  }

  const { Worker } = await import('bullmq');
  const worker: Worker<ChunkData> = new Worker<ChunkData>(options.queue, processChunk, {
    connection: redis,
    concurrency: chunksAtOnce,
    lockDuration: lockDurationMs,
    stalledInterval: Math.max(1_000, Math.round(lockDurationMs / 2)),
    // A chunk whose worker died comes back however often that happens; its done items are skipped.
    maxStalledCount: 100,
  });
  // A connection hiccup is retried by BullMQ; it must not crash the process.
  worker.on('error', () => undefined);
  await worker.waitUntilReady();

  return {
    get recorded() {
      return recorded;
    },
    async close() {
      await worker.close();
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
