import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { ItemError } from '../models/item-error.js';
import type { ProviderReference } from '../models/batch-job.js';
import type { BatchProvider, PollResult, SubmitPart } from '../provider/batch-provider.js';
import { checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';
import { budgetKey, chunkJobId, gateKeys, openConnection, partKeys } from './distributed-keys.js';
import { recordResultsScript, runScript, setBudgetScript } from './distributed-lua.js';

/** Options of {@link distributed}. */
export interface DistributedOptions {
  /** The Redis of the queue: a `redis://` URL, or an ioredis client made with `maxRetriesPerRequest: null` (BullMQ needs it). */
  readonly connection: string | Redis;
  /** The BullMQ queue the workers (`createBatchWorker`, `llm-batch worker`) take items from. */
  readonly queue: string;
  /** Items per queue job: a killed worker's chunk is what comes back through stalled-job recovery. @default 20 */
  readonly chunkSize?: number;
  /** Starts the runner's Redis keys (BullMQ's own keys start with `bull:`). @default 'llm-batch:distributed' */
  readonly prefix?: string;
  /** How often `wait` polls the part's progress. @default 500 */
  readonly pollIntervalMs?: number;
  /**
   * The most each job submitted through this provider may spend, in USD, all its parts and all
   * workers together: every worker reserves a call's worst case (input tokens plus the max tokens
   * sent, at the synchronous price of `createBatchWorker({ pricing })`) in Redis before sending it,
   * and settles it to the real cost once the item ended. Items that cannot be covered end
   * `cancelled` with category `budget`. See docs/distributed.md for what a crash does to it.
   */
  readonly maxCostUsd?: number;
}

/** The provider {@link distributed} returns: a `BatchProvider`, and `close()` for its connections. */
export interface DistributedProvider extends BatchProvider {
  close(): Promise<void>;
}

/** A queue job: a chunk of one part's requests (the requests travel with it, stored once). */
export interface ChunkData {
  readonly jobId: string;
  readonly partId: string;
  readonly requests: readonly BatchRequest[];
}

const distributedOptionNames = optionNames<DistributedOptions>({ connection: true, queue: true, chunkSize: true, prefix: true, pollIntervalMs: true, maxCostUsd: true });

/** The validated settings shared by the provider and the workers. */
export function runnerPrefix(prefix: string | undefined, queue: string): string {
  return `${prefix ?? 'llm-batch:distributed'}:${queue}`;
}

export function checkQueueName(where: string, queue: unknown): asserts queue is string {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(queue)) failOption(where, 'queue', 'letters, digits, "_", "." or "-" (1 to 100 of them)', queue);
}

/**
 * An emulated run spread over many worker processes: `submit` puts a part's items on a BullMQ
 * queue in chunks, and any number of `createBatchWorker` (or `llm-batch worker`) processes, on
 * any host, run them with one call strategy configuration, one cluster-wide rate limit and one
 * cooldown. Every result is kept in Redis once per item id, so a chunk delivered again (its worker
 * was killed: BullMQ's stalled-job recovery) calls no item that already has a result. The client
 * polls and reads the results like a native batch: give it a `redisStore` too, and any process
 * can `wait` for the job, read its results or `cancel` it (which stops every worker's share).
 *
 * Needs the optional peer dependencies `ioredis` and `bullmq`. See docs/distributed.md.
 *
 * @example
 * const client = createBatchClient({
 *   provider: distributed({ connection: 'redis://localhost:6379', queue: 'nightly' }),
 *   store: redisStore({ url: 'redis://localhost:6379' }),
 * });
 */
export function distributed(options: DistributedOptions): DistributedProvider {
  const where = 'distributed()';
  if (typeof options !== 'object' || options === null) failOption(where, 'options', 'an object with connection and queue', options);
  checkOptionKeys(where, options, distributedOptionNames);
  if (typeof options.connection !== 'string' && (typeof options.connection !== 'object' || options.connection === null)) failOption(where, 'connection', 'a redis:// URL or an ioredis client', options.connection);
  checkQueueName(where, options.queue);
  const chunkSize = options.chunkSize ?? 20;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000) failOption(where, 'chunkSize', 'a whole number from 1 to 10,000', chunkSize);
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  if (typeof pollIntervalMs !== 'number' || !(pollIntervalMs >= 10)) failOption(where, 'pollIntervalMs', 'a number of at least 10', pollIntervalMs);
  const maxCostUsd = options.maxCostUsd;
  if (maxCostUsd !== undefined && (typeof maxCostUsd !== 'number' || !Number.isFinite(maxCostUsd) || maxCostUsd < 0)) failOption(where, 'maxCostUsd', 'a non-negative number of USD', maxCostUsd);
  const prefix = runnerPrefix(options.prefix, options.queue);

  let connection: { redis: Redis; owned: boolean } | undefined;
  let queue: Queue<ChunkData> | undefined;
  const redis = (): Redis => (connection ??= openConnection(options.connection)).redis;
  async function openQueue(): Promise<Queue<ChunkData>> {
    if (queue === undefined) {
      const { Queue } = await import('bullmq');
      queue = new Queue<ChunkData>(options.queue, { connection: redis() });
    }
    return queue;
  }

  const partIdOf = (reference: ProviderReference): string => {
    if (typeof reference.id !== 'string') throw new TypeError('A distributed part reference needs its id');
    return reference.id;
  };

  /** Puts every chunk of the part on the queue; chunks already there (same job id) are not added twice. */
  async function enqueue(part: SubmitPart): Promise<ProviderReference & { id: string }> {
    const keys = partKeys(prefix, part.partId);
    await redis().hset(keys.meta, 'total', String(part.requestCount), 'jobId', part.jobId);
    if (maxCostUsd !== undefined) await runScript(redis(), setBudgetScript, [budgetKey(prefix, part.jobId)], [String(maxCostUsd)]);
    const target = await openQueue();
    let chunk: BatchRequest[] = [];
    let index = 0;
    // Chunks go to the queue 50 at a time (`addBulk`: one round trip); a chunk whose job id is
    // already there is not added twice.
    let bulk: Parameters<Queue<ChunkData>['addBulk']>[0] = [];
    const send = async () => {
      if (bulk.length === 0) return;
      await target.addBulk(bulk);
      bulk = [];
    };
    const flush = async () => {
      if (chunk.length === 0) return;
      const data: ChunkData = { jobId: part.jobId, partId: part.partId, requests: chunk };
      bulk.push({ name: 'chunk', data, opts: { jobId: chunkJobId(part.partId, index++), removeOnComplete: true, removeOnFail: 1_000, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } } });
      chunk = [];
      if (bulk.length >= 50) await send();
    };
    let total = 0;
    for await (const request of part.requests()) {
      chunk.push(request);
      total++;
      if (chunk.length >= chunkSize) await flush();
    }
    await flush();
    await send();
    if (total !== part.requestCount) await redis().hset(keys.meta, 'total', String(total));
    return { id: part.partId, queue: options.queue, chunks: index };
  }

  return {
    name: `distributed:${options.queue}`,
    mode: 'native',
    // Its workers call the synchronous API: jobs are priced at the sync price, not the batch discount.
    billing: 'sync',
    limits: { maxRequests: 1_000_000, maxBytes: Number.MAX_SAFE_INTEGER, oneModelPerPart: false },
    pollIntervalMs,

    async submit(part) {
      return enqueue(part);
    },

    async find(part) {
      // A part whose submission was cut short: enqueue again (chunks already queued are not added twice,
      // and items that have a result are not called again).
      if ((await redis().exists(partKeys(prefix, part.partId).meta)) === 0) return undefined;
      return enqueue(part);
    },

    async poll(reference): Promise<PollResult> {
      const keys = partKeys(prefix, partIdOf(reference));
      const [counts, total, cancelled] = await Promise.all([redis().hgetall(keys.counts), redis().hget(keys.meta, 'total'), redis().exists(keys.cancel)]);
      const succeeded = Number(counts.succeeded ?? 0);
      const failed = Number(counts.failed ?? 0);
      const cancelledItems = Number(counts.cancelled ?? 0);
      const expired = Number(counts.expired ?? 0);
      const size = Number(total ?? 0);
      const pending = Math.max(0, size - succeeded - failed - cancelledItems - expired);
      const status = pending > 0 ? (cancelled === 1 ? 'cancelling' : 'in_progress') : cancelled === 1 ? 'cancelled' : 'completed';
      return { status, rawStatus: status, counts: { succeeded, failed, cancelled: cancelledItems, expired, pending } };
    },

    async *results(reference): AsyncIterable<BatchResult> {
      const keys = partKeys(prefix, partIdOf(reference));
      let cursor = '0';
      do {
        const [next, entries] = await redis().hscan(keys.results, cursor, 'COUNT', 1_000);
        cursor = next;
        for (let index = 1; index < entries.length; index += 2) yield JSON.parse(entries[index]!) as BatchResult;
      } while (cursor !== '0');
    },

    async cancel(reference) {
      const partId = partIdOf(reference);
      const keys = partKeys(prefix, partId);
      await redis().set(keys.cancel, new Date().toISOString());
      // Chunks no worker has taken yet end here; the workers stop the ones they run.
      const target = await openQueue();
      const chunks = Number(reference.chunks ?? 0);
      for (let index = 0; index < chunks; index++) {
        const job = await target.getJob(chunkJobId(partId, index));
        if (job === undefined || !(await job.isWaiting() || (await job.isDelayed()))) continue;
        await job.remove().catch(() => undefined);
        await recordCancelled(redis(), prefix, keys, job.data.requests.map((request) => request.id));
      }
    },

    async close() {
      await queue?.close();
      if (connection?.owned) await connection.redis.quit().catch(() => connection?.redis.disconnect());
    },
  };
}

/** Records a `cancelled` result for each item that has none yet (one script call per 500 items). */
export async function recordCancelled(redis: Redis, prefix: string, keys: ReturnType<typeof partKeys>, itemIds: readonly string[], error?: ItemError): Promise<void> {
  for (let start = 0; start < itemIds.length; start += 500) {
    const args = itemIds.slice(start, start + 500).flatMap((id) => [id, JSON.stringify({ id, status: 'cancelled', ...(error === undefined ? {} : { error }) } satisfies BatchResult), 'cancelled']);
    await runScript(redis, recordResultsScript, [keys.results, keys.counts, gateKeys(prefix).cooldown], args);
  }
}
