import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { emulated, type EmulatedOptions } from '../adapters/emulated/index.js';
import { classifyError } from '../errors/classify-error.js';
import type { BatchResult } from '../models/batch-result.js';
import type { CallStrategy } from '../provider/call-strategy.js';
import { delay } from '../retry/delay.js';
import { checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';
import { parseRateLimitHeaders } from '../adapters/emulated/parse-rate-limit-headers.js';
import { estimateRequestTokens } from '../adapters/emulated/estimate-request-tokens.js';
import { computeCost } from '../cost/compute-cost.js';
import { approximateRequestTokens } from '../cost/count-tokens.js';
import { defaultEstimateMaxTokens } from '../cost/estimate-cost.js';
import { findModelPrice } from '../cost/find-model-price.js';
import { defaultPricing, type PricingTable } from '../cost/pricing-table.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { SubmitContext } from '../provider/batch-provider.js';
import { budgetKey, gateKeys, openConnection, partKeys } from './distributed-keys.js';
import { coolDownScript, learnLimitsScript, recordResultsScript, reserveBudgetScript, runScript, settleBudgetScript, takeSlotScript } from './distributed-lua.js';
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
  /**
   * The tokens-per-minute limit of the whole cluster: every call holds one shared token schedule
   * for its estimated tokens (input characters / 4 plus the max tokens sent, as providers count
   * them when the request arrives). Give every worker the same value.
   */
  readonly tokensPerMinute?: number;
  /** Prices for the cluster-wide budget of `distributed({ maxCostUsd })`. @default the shipped pricing table */
  readonly pricing?: PricingTable;
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
  tokensPerMinute: true,
  pricing: true,
  prefix: true,
  lockDurationMs: true,
  emulated: true,
});
/** The headers of a failed call's error (the SDKs' API errors carry them). */
function headersOf(error: unknown): Headers | Record<string, string> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const headers = (error as { headers?: unknown }).headers;
  return typeof headers === 'object' && headers !== null ? (headers as Headers | Record<string, string>) : undefined;
}

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
  const tpm = options.tokensPerMinute;
  if (tpm !== undefined && (typeof tpm !== 'number' || !(tpm > 0) || !Number.isFinite(tpm))) failOption(where, 'tokensPerMinute', 'a positive number', tpm);
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  if (!Number.isInteger(lockDurationMs) || lockDurationMs < 1_000) failOption(where, 'lockDurationMs', 'a whole number of at least 1,000', lockDurationMs);

  const pricing = options.pricing ?? defaultPricing;
  if (typeof pricing !== 'object' || pricing === null || typeof (pricing as { models?: unknown }).models !== 'object') failOption(where, 'pricing', 'a pricing table ({ asOf, models })', pricing);

  const prefix = runnerPrefix(options.prefix, options.queue);
  const { redis, owned } = openConnection(options.connection);
  const gate = gateKeys(prefix);
  const requestIntervalMs = rpm === undefined ? 0 : 60_000 / rpm;
  const msPerToken = tpm === undefined ? 0 : 60_000 / tpm;
  const strategy = options.call;
  const callTimeoutMs = options.emulated?.timeoutMs ?? 60_000;

  // Learning from headers is on unless the emulated options turn it off; once any worker learned a
  // limit (this worker sees it with its result writes and cooldown reads), every call takes its
  // slot in the shared schedule, paced by it.
  const adaptive = options.emulated?.rateLimit?.adaptive;
  const learning = adaptive !== false && (typeof adaptive !== 'object' || adaptive.headers !== false);
  let limitsLearned = false;

  // The cluster's cooldown as this worker last saw it: every batch of result writes returns it, so
  // a call reads Redis for it only when that is older than `cooldownFreshMs` (with a schedule, the
  // slot script reads it anyway).
  const cooldownFreshMs = 250;
  let cooldownUntil = 0;
  let cooldownReadAt = -Infinity;
  let cooldownRead: Promise<void> | undefined;
  const sawCooldown = (until: number): void => {
    cooldownUntil = Math.max(cooldownUntil, until);
    cooldownReadAt = Date.now();
  };

  /** Waits for the call's slot in the cluster's schedules (and for a cooldown any worker set). */
  async function waitForSlot(request: BatchRequest, signal: AbortSignal): Promise<number> {
    const tokens = estimateRequestTokens(request, strategy.maxOutputTokens?.(request));
    const scheduled = () => requestIntervalMs > 0 || msPerToken > 0 || limitsLearned;
    // A read of the cooldown (and of whether limits were learned) when this worker's view is stale:
    // one read at a time, shared by the calls that wait for it.
    if (!scheduled() && Date.now() - cooldownReadAt > cooldownFreshMs) {
      cooldownRead ??= redis
        .pipeline()
        .get(gate.cooldown)
        .exists(gate.learned)
        .exec()
        .then((replies) => {
          sawCooldown(Number(replies?.[0]?.[1] ?? 0));
          if (learning && replies?.[1]?.[1] === 1) limitsLearned = true;
        })
        .finally(() => {
          cooldownRead = undefined;
        });
      await cooldownRead;
    }
    const waitMs = scheduled()
      ? Number(await runScript(redis, takeSlotScript, [gate.slot, gate.cooldown, gate.tokenSlot, gate.learned], [String(requestIntervalMs), String(msPerToken), String(tokens)]))
      : cooldownUntil - Date.now();
    if (waitMs > 0) await delay(waitMs, { signal });
    return tokens;
  }

  /** Shares what a response's rate-limit headers say with every worker. */
  function learn(headers: Headers | Record<string, string> | undefined, tokens: number): void {
    if (headers === undefined) return;
    const snapshot = parseRateLimitHeaders(headers);
    const requests = snapshot.requests;
    const tokenWindow = snapshot.tokens ?? snapshot.inputTokens;
    if (requests?.limit === undefined && tokenWindow?.limit === undefined) return;
    const text = (value: number | undefined) => (value === undefined ? '' : String(value));
    void runScript(redis, learnLimitsScript, [gate.learned, gate.cooldown], [
      text(requests?.limit),
      text(requests?.remaining),
      text(requests?.resetMs),
      text(tokenWindow?.limit),
      text(tokenWindow?.remaining),
      text(tokenWindow?.resetMs),
      String(tokens),
    ]).then(
      (until) => {
        limitsLearned = true;
        sawCooldown(Number(until));
      },
      () => undefined,
    );
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
      const tokens = await waitForSlot(request, context.signal);
      try {
        const output = await strategy.call(request, context);
        if (learning) learn(output.headers, tokens);
        return output;
      } catch (error) {
        const classification = classifyError(error);
        if (learning) learn(headersOf(error), tokens);
        // One cooldown for every worker: the provider said to slow down.
        if (classification.category === 'rate_limit') {
          const until = Number(await runScript(redis, coolDownScript, [gate.cooldown], [String(Math.max(250, Math.min(classification.retryAfterMs ?? 1_000, 60_000)))]));
          sawCooldown(until);
        }
        throw error;
      }
    },
  };
  const chunksAtOnce = Math.max(1, Math.ceil(concurrency / callsPerChunk));
  const provider = emulated({ ...options.emulated, call: gated, concurrency: Math.max(1, Math.ceil(concurrency / chunksAtOnce)) });
  let recorded = 0;

  // Result writes: the results that arrive within one turn of the event loop go to Redis in one
  // script call (a result is written before the run moves on from it, as one at a time would).
  interface PendingRecord {
    readonly keys: ReturnType<typeof partKeys>;
    readonly result: BatchResult;
    readonly resolve: () => void;
    readonly reject: (error: unknown) => void;
  }
  let pendingRecords: PendingRecord[] = [];
  function flushRecords(): void {
    const batch = pendingRecords;
    pendingRecords = [];
    const byPart = new Map<string, PendingRecord[]>();
    for (const entry of batch) {
      const list = byPart.get(entry.keys.results);
      if (list === undefined) byPart.set(entry.keys.results, [entry]);
      else list.push(entry);
    }
    for (const entries of byPart.values()) {
      const keys = entries[0]!.keys;
      const args = entries.flatMap(({ result }) => [result.id, JSON.stringify(result), result.status]);
      runScript(redis, recordResultsScript, [keys.results, keys.counts, gate.cooldown, gate.learned], args).then(
        (reply) => {
          const flags = reply as number[];
          for (let index = 0; index < entries.length; index++) if (flags[index] === 1) recorded++;
          sawCooldown(Number(flags[entries.length] ?? 0));
          if (learning && flags[entries.length + 1] === 1) limitsLearned = true;
          for (const entry of entries) entry.resolve();
        },
        (error: unknown) => {
          for (const entry of entries) entry.reject(error);
        },
      );
    }
  }
  function record(keys: ReturnType<typeof partKeys>, result: BatchResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (pendingRecords.length === 0) setImmediate(flushRecords);
      pendingRecords.push({ keys, result, resolve, reject });
    });
  }

  // One cancel watcher for the worker: every 250 ms, the cancel flags of the parts it has in hand.
  const watched = new Map<string, Set<() => void>>();
  let watcher: ReturnType<typeof setInterval> | undefined;
  function watchCancel(cancelKey: string, onCancel: () => void): () => void {
    let handlers = watched.get(cancelKey);
    if (handlers === undefined) watched.set(cancelKey, (handlers = new Set()));
    handlers.add(onCancel);
    watcher ??= setInterval(() => {
      const keys = [...watched.keys()];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.exists(key);
      void pipeline.exec().then((replies) => {
        keys.forEach((key, index) => {
          if (replies?.[index]?.[1] === 1) for (const handler of watched.get(key) ?? []) handler();
        });
      }, () => undefined);
    }, 250);
    return () => {
      handlers.delete(onCancel);
      if (handlers.size === 0) watched.delete(cancelKey);
      if (watched.size === 0 && watcher !== undefined) {
        clearInterval(watcher);
        watcher = undefined;
      }
    };
  }

  /** The job's budget shared by the cluster, when `distributed({ maxCostUsd })` set one. */
  function sharedBudget(key: string): NonNullable<SubmitContext['budget']> & { refused: boolean } {
    const held = new Map<string, number>();
    const worstCase = (request: BatchRequest): number | undefined => {
      const model = request.model;
      if (model === undefined || !findModelPrice(pricing, model)) return undefined;
      const input = approximateRequestTokens(request);
      const output = request.maxTokens ?? defaultEstimateMaxTokens;
      return computeCost({ inputTokens: input, outputTokens: output, totalTokens: input + output }, { model, mode: 'emulated', pricing });
    };
    return {
      refused: false,
      async reserve(request) {
        const cost = worstCase(request);
        // A model without a price cannot be bounded: refused, as the local budget does.
        if (cost === undefined) {
          this.refused = true;
          return false;
        }
        const deadline = Date.now() + callTimeoutMs;
        while (true) {
          const answer = Number(await runScript(redis, reserveBudgetScript, [key], [String(cost), String(held.get(request.id) ?? 0)]));
          if (answer === 1) {
            held.set(request.id, (held.get(request.id) ?? 0) + cost);
            return true;
          }
          // Other items (of any worker) hold reservations that may settle below their worst case.
          if (answer === 0 || Date.now() > deadline) {
            this.refused = true;
            return false;
          }
          await delay(50);
        }
      },
      settle(request, usage) {
        const booked = held.get(request.id) ?? 0;
        held.delete(request.id);
        const actual = usage === undefined || request.model === undefined ? 0 : (computeCost(usage, { model: request.model, mode: 'emulated', pricing }) ?? 0);
        void runScript(redis, settleBudgetScript, [key], [String(booked), String(actual)]).catch(() => undefined);
      },
    };
  }

  async function processChunk(job: Job<ChunkData>): Promise<void> {
    const { partId, requests } = job.data;
    const keys = partKeys(prefix, partId);
    const ids = requests.map((request) => request.id);
    const budget = budgetKey(prefix, job.data.jobId);
    // One round trip: which items have a result, the cancel flag, whether the job has a budget.
    const replies = await redis.pipeline().hmget(keys.results, ...(ids.length === 0 ? ['-'] : ids)).exists(keys.cancel).hexists(budget, 'limit').exec();
    const done = (replies?.[0]?.[1] ?? []) as (string | null)[];
    const pending = requests.filter((_, index) => done[index] === null);
    if (pending.length === 0) return;
    if (replies?.[1]?.[1] === 1) {
      await recordCancelled(redis, prefix, keys, pending.map((request) => request.id));
      return;
    }
    const budgetGuard = replies?.[2]?.[1] === 1 ? sharedBudget(budget) : undefined;
    const ended = new Set<string>();
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
      {
        checkpoint: async () => {},
        recordResult: (result) => {
          ended.add(result.id);
          return record(keys, result);
        },
        warn: () => {},
        ...(budgetGuard === undefined ? {} : { budget: budgetGuard }),
      },
    );
    let cancelled = false;
    const unwatch = watchCancel(keys.cancel, () => {
      if (cancelled) return;
      cancelled = true;
      void provider.cancel(reference, { warn: () => {} });
    });
    try {
      await provider.waitForRun!(reference);
    } finally {
      unwatch();
      await provider.cleanup?.(reference, { warn: () => {} });
    }
    const missing = pending.filter((request) => !ended.has(request.id)).map((request) => request.id);
    if (missing.length === 0) return;
    if (cancelled || (await redis.exists(keys.cancel)) === 1) await recordCancelled(redis, prefix, keys, missing);
    // The budget stopped the run: the items it did not start end cancelled, category `budget`.
    else if (budgetGuard?.refused === true) await recordCancelled(redis, prefix, keys, missing, { category: 'budget', message: 'Not started: the budget is exhausted', retryable: false });
    // Anything else that ended the run early (an `abortOn` error, such as a refused key): BullMQ
    // runs the chunk again, maybe on another worker; after its last attempt, the items end cancelled.
    else if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      await recordCancelled(redis, prefix, keys, missing, { category: 'unknown', message: `Not started: the run of this chunk stopped early on each of its ${job.opts.attempts ?? 1} attempts`, retryable: true });
    } else throw new Error(`The run of chunk ${job.id ?? ''} ended with ${missing.length} items without a result`);
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
      if (watcher !== undefined) clearInterval(watcher);
      if (owned) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
