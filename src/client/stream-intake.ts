import { isAbortError, throwIfAborted } from '../errors/abort-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { redactSecrets } from '../errors/redact-secrets.js';
import type { PlanningObserver } from '../extension/client-extension.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import type { JobManifest, PartManifest } from '../models/batch-job.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchProvider, SubmitPart } from '../provider/batch-provider.js';
import type { RequestWriter, StoredRequest } from '../store/batch-store.js';
import type { RequestDefaults } from './apply-defaults.js';
import type { SubmitOptions } from './batch-client-options.js';
import type { ClientCore } from './client-core.js';
import { clientExtensions } from './client-extensions.js';
import { zeroCounts } from './derive-job-state.js';
import { IdTable } from './id-table.js';
import { newJobId } from './live-jobs.js';
import { measureOrReport, normalize, type PartRoute } from './plan-job.js';
import { adapterPlanning } from './planning-store.js';
import { splitProviderModel } from './resolve-provider.js';
import { submitContext, submitPart } from './submit-part.js';

/*
 * The streaming intake (`submit(requests, { intake: 'streaming' })`): an emulated job whose calls
 * start while its input is still being read. Each request is checked as it comes; a bad one fails
 * alone, as a `failed` result (category `invalid_request`) that names its fields, and the rest run.
 * A request is handed to the run only once its line is in the store, so a crash never leaves a
 * result whose request is unknown; what was read before a crash is the job, and `resume` runs it.
 */

/**
 * An input item known to be bad before it is a request (a line that is not JSON, say): a
 * streaming intake fails it alone with `reason`, under `id` when one is known.
 */
export class RejectedInput {
  constructor(
    readonly reason: string,
    readonly id?: string,
  ) {}
}

/** Requests handed to the run at once, at most (the first batches are smaller, for a quick first call). */
const maxReleaseBatch = 1_024;
/** Requests stored and waiting for a worker, at most: the input is read no faster than the run takes it. */
const channelCapacity = 4_096;

/** What {@link submitStreaming} needs of the client. */
export interface StreamingSubmitInput {
  readonly core: ClientCore;
  readonly requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>;
  /** The submit options with the client's defaults filled in. */
  readonly options: SubmitOptions;
  readonly provider: BatchProvider;
  readonly defaults?: RequestDefaults;
  readonly transform?: (request: BatchRequest) => BatchRequest;
  readonly route?: (request: BatchRequest) => Promise<PartRoute>;
  readonly onRunEnded: (jobId: string) => Promise<unknown>;
  /** Told once the run has started, before the input is read further. */
  readonly onStarted?: (job: JobManifest) => void;
}

/**
 * Refuses a streaming intake that cannot be honoured, before anything is stored or sent: it needs
 * an emulated provider (a native batch is uploaded whole) and no `maxCostUsd` (a budget is checked
 * against the whole input's estimate before the first call).
 */
function checkStreamingPossible(input: StreamingSubmitInput): void {
  if (input.provider.mode !== 'emulated') {
    throw new ValidationError([{ index: 0, field: 'intake', reason: `"streaming" needs an emulated provider; ${input.provider.name} runs native batches, which are uploaded whole` }]);
  }
  if (input.options.maxCostUsd !== undefined) {
    throw new ValidationError([{ index: 0, field: 'intake', reason: '"streaming" cannot enforce maxCostUsd: the budget is checked against the estimate of the whole input before the first call; use the default intake' }]);
  }
}

/** And a store whose request writer can flush: a request is sent only once its record can be read back. */
function checkWriterFlushes(writer: RequestWriter): void {
  if (writer.flush === undefined) {
    throw new ValidationError([{ index: 0, field: 'intake', reason: '"streaming" needs a store whose request writer can flush (RequestWriter.flush); this store writes a part only when it is whole' }]);
  }
}

/**
 * Creates an emulated job, starts its run at once, and feeds it while the input is read. Resolves
 * with the job once the whole input is read and stored (its calls have been going since the
 * first requests); the run goes on and the job is waited for as any other.
 */
export async function submitStreaming(input: StreamingSubmitInput): Promise<JobManifest> {
  const { core, provider, options } = input;
  checkStreamingPossible(input);
  const jobId = newJobId();
  const observers = clientExtensions.map((extension) => extension.observePlanning?.({ options: asRecord(options), provider }));
  const now = new Date().toISOString();
  const part: PartManifest = {
    id: `${jobId}_p0`,
    index: 0,
    status: 'validating',
    requestCount: 0,
    requestsWithMetadata: 0,
    submitState: 'planned',
    resultsStored: false,
    counts: zeroCounts(0),
  };
  const job: JobManifest = {
    id: jobId,
    provider: provider.name,
    mode: provider.mode,
    status: 'validating',
    counts: zeroCounts(0),
    createdAt: now,
    updatedAt: now,
    parts: [part],
    metadata: { ...options.metadata },
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    warnings: [],
    options: { ...(options.model === undefined ? {} : { model: options.model }), completionWindow: options.completionWindow ?? '24h' },
    intake: 'streaming',
  };
  for (const [position, extension] of clientExtensions.entries()) {
    await extension.beforeSubmit?.({ job, options: asRecord(options), provider, store: core.store, observer: observers[position] });
  }
  // Nothing is known of the input yet: the estimate is made as it is read, and set at its end.
  delete job.estimate;
  const writer = await core.store.createRequestWriter(jobId, 0);
  try {
    checkWriterFlushes(writer);
  } catch (error) {
    await writer.close();
    await core.store.deleteJob(jobId);
    throw error;
  }
  const lease = await core.leases.hold(jobId);
  const channel = new RequestChannel(channelCapacity);
  let released = 0;
  const runPart: SubmitPart = {
    jobId,
    partId: part.id,
    index: 0,
    // What the run has been handed so far: its progress counts against it.
    get requestCount() {
      return released;
    },
    metadata: job.priority === undefined ? job.metadata : { priority: job.priority, ...job.metadata },
    requests: () => channel.drain(),
  };
  const intake = new StreamingIntake(input, job, part, writer, observers, channel);
  try {
    core.jobs.adopt(job);
    await core.jobs.save(job);
    // The run may end before the input does (a cancel, fail-fast, a budget): the intake stops
    // first, so that the part's results are collected over a requests file that no longer grows.
    const onRunEnded = async (id: string): Promise<unknown> => {
      await intake.stop();
      return input.onRunEnded(id);
    };
    await submitPart(core, job, part, provider, { signal: options.signal, pendingOnly: false, onRunEnded, input: runPart });
    // An interrupted run (close(), a lost lease, the signal) never calls onRunEnded.
    void core.activeRuns.get(part.id)?.ended.then(() => intake.stop());
    input.onStarted?.(job);
    try {
      await intake.read((requests) => {
        released += requests.length;
        return channel.push(requests);
      });
    } catch (error) {
      // The input broke off (or the store failed): the run stops, what ended stays journaled, and
      // the requests stored so far stay pending for `resume`.
      core.activeRuns.get(part.id)?.interrupt.abort(error);
      // Stopped on purpose (Ctrl-C, the caller's signal): the stop is the news, not the input.
      if (isAbortError(error) || options.signal?.aborted === true) throw error;
      throw new LlmBatchError(`Job ${jobId}: reading the input failed after ${part.requestCount} request(s): ${(error as Error).message}. Resume the job to run the requests stored, or cancel it`, {
        code: 'input_failed',
        cause: error,
      });
    } finally {
      channel.end();
    }
    return structuredClone(job);
  } finally {
    await core.jobs.release(lease);
  }
}

/** Reads the input, stores each request, and hands the stored ones on in batches. */
class StreamingIntake {
  readonly #ids = new IdTable({ positions: true });
  readonly #routes = new Map<string, PartRoute>();
  /** Requests whose id hashes like an earlier one's: held until the input ends, then confirmed exactly. */
  readonly #suspects: Array<{ position: number; request: BatchRequest; json: string }> = [];
  #pending: BatchRequest[] = [];
  #rejected: BatchResult[] = [];
  #batch = 16;
  #position = 0;
  #rejectedCount = 0;
  readonly #planning: ReturnType<typeof adapterPlanning>;
  readonly #record: (result: BatchResult) => Promise<void>;

  constructor(
    readonly input: StreamingSubmitInput,
    readonly job: JobManifest,
    readonly part: PartManifest,
    readonly writer: RequestWriter,
    readonly observers: ReadonlyArray<PlanningObserver | undefined>,
    readonly channel: RequestChannel,
  ) {
    this.#planning = adapterPlanning(input.provider, input.options.model, input.defaults);
    this.#record = submitContext(input.core, job, part, undefined).recordResult;
  }

  #stopping = false;
  #done: Promise<void> | undefined;

  /** Stops reading the input (the run ended first); resolves once the intake has closed. */
  stop(): Promise<void> {
    this.#stopping = true;
    this.channel.close();
    return this.#done?.catch(() => undefined) ?? Promise.resolve();
  }

  read(release: (requests: BatchRequest[]) => void | Promise<void>): Promise<void> {
    this.#done = this.#read(release);
    return this.#done;
  }

  async #read(release: (requests: BatchRequest[]) => void | Promise<void>): Promise<void> {
    const source = this.input.requests;
    const signal = this.input.options.signal;
    let complete = false;
    try {
      if (Symbol.iterator in source && !(Symbol.asyncIterator in source)) {
        for (const item of source) {
          const waiting = this.#take(item);
          if (waiting) await waiting;
          if (this.#pending.length + this.#rejected.length >= this.#batch) {
            throwIfAborted(signal);
            await this.#release(release);
            if (this.#stopping) break;
          }
        }
      } else {
        const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        try {
          for (;;) {
            const next = iterator.next();
            // What is stored goes out when the batch is full, or when the source keeps us waiting.
            if (this.#pending.length + this.#rejected.length > 0 && (this.#pending.length + this.#rejected.length >= this.#batch || (await waitsPastThisTurn(next)))) {
              throwIfAborted(signal);
              await this.#release(release);
              if (this.#stopping) break;
            }
            const step = await next;
            if (step.done === true) break;
            const waiting = this.#take(step.value);
            if (waiting) await waiting;
          }
        } finally {
          // As `for await` does when it stops early; not awaited: a source waiting on something else would hold us.
          void Promise.resolve(iterator.return?.()).catch(() => undefined);
        }
      }
      if (!this.#stopping) {
        await this.#confirmSuspects();
        if (this.#position === 0) await this.#reject(0, undefined, [{ index: 0, field: '', reason: 'no requests: the input is empty' }]);
        complete = true;
      }
      await this.#release(release);
    } finally {
      await this.#close(complete);
    }
  }

  /** Closes the requests file and the intake: the job holds what was stored. */
  async #close(complete: boolean): Promise<void> {
    const { job, part } = this;
    await this.writer.close();
    job.intake = 'streamed';
    if (!complete) {
      job.warnings.push(`The input was not read to its end: the job holds the ${part.requestCount} request(s) read before it stopped`);
    }
    if (this.#rejectedCount > 0) {
      job.warnings.push(`${this.#rejectedCount} request(s) failed the intake's checks and were not sent (failed, category invalid_request)`);
    }
    this.#finishEstimate();
    await this.input.core.jobs.save(job);
  }

  /** Checks and stores one input item; returns a promise only when the writer must be waited for. */
  #take(item: unknown): void | Promise<void> {
    const position = this.#position++;
    if (item instanceof RejectedInput) return this.#reject(position, item.id, [{ index: position, field: '', reason: item.reason }]);
    const issues: ValidationIssue[] = [];
    const planning = this.#planning;
    const normalized = normalize(item, position, planning.defaultModel, issues, planning.defaults);
    if (normalized === undefined) return this.#reject(position, idOf(item), issues);
    if (!normalized.model) {
      return this.#reject(position, normalized.id, [{ index: position, id: normalized.id, field: 'model', reason: 'no model: set request.model, the "model" option or defaults.model of the client' }]);
    }
    const routed = this.#routeOf(normalized, position);
    if (routed instanceof Promise) return routed.then((request) => (request === undefined ? undefined : this.#place(position, request)));
    if (routed === undefined) return;
    return this.#place(position, routed);
  }

  /** The request as sent (a `provider:` prefix taken off), or undefined when it was rejected. */
  #routeOf(request: BatchRequest, position: number): BatchRequest | undefined | Promise<BatchRequest | undefined> {
    const route = this.input.route;
    if (route === undefined) return request;
    const model = request.model!;
    // Another provider's request fails here, before that provider is made (it may have no key).
    const named = splitProviderModel(model)?.provider;
    if (named !== undefined && named !== this.input.provider.name) {
      void this.#reject(position, request.id, [{ index: position, id: request.id, field: 'model', reason: `"${model}" runs on ${named}: a streaming intake runs every request on the job's provider` }]);
      return undefined;
    }
    const take = (found: PartRoute): BatchRequest | undefined => {
      if (found.provider !== undefined || found.mode !== undefined) {
        void this.#reject(position, request.id, [{ index: position, id: request.id, field: 'model', reason: `"${model}" runs on ${found.provider ?? 'another mode'}: a streaming intake runs every request on the job's provider` }]);
        return undefined;
      }
      return found.request.model === model ? request : { ...request, model: found.request.model! };
    };
    const known = this.#routes.get(model);
    if (known !== undefined) return take(known);
    return route(request).then(
      (found) => {
        this.#routes.set(model, found);
        return take(found);
      },
      (error: unknown) => {
        void this.#reject(position, request.id, [{ index: position, id: request.id, field: 'model', reason: (error as Error).message }]);
        return undefined;
      },
    );
  }

  #place(position: number, request: BatchRequest): void | Promise<void> {
    const stored = this.input.transform ? this.input.transform(request) : request;
    const issues: ValidationIssue[] = [];
    if (this.#planning.measure !== undefined && measureOrReport(this.#planning.measure, stored, position, issues) === undefined) {
      return this.#reject(position, request.id, issues);
    }
    const json = JSON.stringify(stored);
    const first = this.#ids.add(stored.id, position);
    if (first !== -1) {
      if (this.#ids.exact) return this.#reject(position, stored.id, [duplicate(position, stored.id, first)], `${stored.id}#${position}`);
      this.#suspects.push({ position, request: stored, json });
      return;
    }
    return this.#store(position, stored, json);
  }

  #store(position: number, request: BatchRequest, json: string): void | Promise<void> {
    const { part } = this;
    part.requestCount++;
    part.bytes = (part.bytes ?? 0) + Buffer.byteLength(json) + 1;
    if (request.metadata !== undefined) part.requestsWithMetadata = (part.requestsWithMetadata ?? 0) + 1;
    part.counts!.total++;
    part.counts!.pending++;
    this.#pending.push(request);
    const written = this.writer.writeJson ? this.writer.writeJson(position, json) : this.writer.write({ index: position, request });
    let observed: void | Promise<void> | undefined;
    for (const observer of this.observers) {
      const next = observer?.observe(request);
      if (next) observed = observed ? observed.then(() => next) : next;
    }
    if (written && observed) return Promise.all([written, observed]).then(() => undefined);
    return written ?? observed;
  }

  /**
   * A bad item: a line of its own in the requests file (so that it has its place in the input's
   * order) and a failed result under its id (`#<position>` when it has none; `<id>#<position>` for
   * a repeated id, whose own id belongs to its first use).
   */
  #reject(position: number, id: string | undefined, issues: readonly ValidationIssue[], resultId?: string): void | Promise<void> {
    const { part } = this;
    let usable = resultId ?? (id === undefined || id === '' ? `#${position}` : id);
    // A bad item whose id was used before (or may have been) must not take that request's result.
    if (resultId === undefined && id !== undefined && id !== '' && this.#ids.add(id, position) !== -1) usable = `${id}#${position}`;
    // Stored in the requests file as well as in the result: redacted like every error text.
    const reason = redactSecrets(issues.map((issue) => (issue.field === '' ? issue.reason : `${issue.field}: ${issue.reason}`)).join('; '));
    part.requestCount++;
    part.counts!.total++;
    part.counts!.pending++;
    this.#rejectedCount++;
    this.#rejected.push(rejectedResult(usable, position, reason));
    return this.writer.write({ index: position, request: { id: usable, messages: [] }, rejected: reason });
  }

  /** Makes what was written durable and readable, journals the rejected items, then hands the stored requests on. */
  async #release(release: (requests: BatchRequest[]) => void | Promise<void>): Promise<void> {
    await this.writer.flush!();
    const rejected = this.#rejected;
    const pending = this.#pending;
    this.#rejected = [];
    this.#pending = [];
    for (const result of rejected) await this.#record(result);
    if (pending.length > 0) await release(pending);
    this.#batch = Math.min(maxReleaseBatch, this.#batch * 2);
  }

  /** The suspects, confirmed exactly by the ids stored (one read, only when there are any). */
  async #confirmSuspects(): Promise<void> {
    if (this.#suspects.length === 0) return;
    await this.writer.flush!();
    const firstById = new Map<string, number>();
    for (const { request } of this.#suspects) firstById.set(request.id, Number.POSITIVE_INFINITY);
    for await (const { index, request } of this.input.core.store.readRequests(this.job.id, 0)) {
      const first = firstById.get(request.id);
      if (first !== undefined && index < first) firstById.set(request.id, index);
    }
    for (const { position, request, json } of this.#suspects) {
      const first = firstById.get(request.id)!;
      if (first < position) await this.#reject(position, request.id, [duplicate(position, request.id, first)], `${request.id}#${position}`);
      else {
        firstById.set(request.id, position);
        await this.#store(position, request, json);
      }
    }
  }

  /** The estimate of what was read, from the cost extension's observer. */
  #finishEstimate(): void {
    for (const [position, extension] of clientExtensions.entries()) {
      extension.afterStreamedIntake?.({ job: this.job, options: asRecord(this.input.options), provider: this.input.provider, observer: this.observers[position] });
    }
  }
}

/** The failed result of a bad item of a streaming intake. */
function rejectedResult(id: string, position: number, reason: string): BatchResult {
  return { id, status: 'failed', error: { category: 'invalid_request', code: 'invalid_request', message: `Request ${position} was not sent: ${reason}`, retryable: false } };
}

/**
 * Closes the intake of a job whose process stopped while its input was read (a crash): the job
 * holds the requests stored before, counted again from the store, and a bad item whose failed
 * result was not journaled yet gets it now. Called by `resume` before the run goes on.
 */
export async function closeCutIntake(core: ClientCore, job: JobManifest): Promise<void> {
  const part = job.parts[0];
  if (job.intake !== 'streaming' || part === undefined) return;
  let count = 0;
  let withMetadata = 0;
  const rejected = new Map<string, StoredRequest>();
  for await (const record of core.store.readRequests(job.id, 0)) {
    count++;
    if (record.rejected !== undefined) rejected.set(record.request.id, record);
    else if (record.request.metadata !== undefined) withMetadata++;
  }
  if (rejected.size > 0) {
    for await (const result of core.store.readResults(job.id)) rejected.delete(result.id);
  }
  part.requestCount = count;
  part.requestsWithMetadata = withMetadata;
  part.counts = zeroCounts(count);
  const record = submitContext(core, job, part, undefined).recordResult;
  for (const { index, request, rejected: reason } of rejected.values()) await record(rejectedResult(request.id, index, reason!));
  job.intake = 'streamed';
  job.warnings.push(`The process stopped while the input was read: the job holds the ${count} request(s) stored before`);
  await core.jobs.save(job);
}

/** Whether `next` is still unsettled once the current turn of the event loop has run. */
function waitsPastThisTurn(next: Promise<unknown>): Promise<boolean> {
  return Promise.race([next.then(() => false), new Promise<boolean>((resolve) => setImmediate(() => resolve(true)))]);
}

function duplicate(position: number, id: string, first: number): ValidationIssue {
  return { index: position, id, field: 'id', reason: `duplicate id (first used by request ${first})` };
}

function idOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { id, custom_id: customId } = item as { id?: unknown; custom_id?: unknown };
  if (typeof id === 'string') return id;
  return typeof customId === 'string' ? customId : undefined;
}

/**
 * The requests stored and not yet taken by a worker. `push` waits while it is full, so the input
 * is read no faster than the run goes; `drain` is the run's source.
 */
class RequestChannel {
  #items: BatchRequest[] = [];
  #head = 0;
  #ended = false;
  #taker: (() => void) | undefined;
  #room: (() => void) | undefined;
  #closed = false;

  constructor(private readonly capacity: number) {}

  push(requests: readonly BatchRequest[]): void | Promise<void> {
    // Taken requests leave holes at the front: dropped once they are half the array.
    if (this.#head > 0 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    for (const request of requests) this.#items.push(request);
    this.#wake();
    if (this.#closed || this.#items.length - this.#head <= this.capacity) return;
    return new Promise((resolve) => (this.#room = resolve));
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Nobody takes requests any more (the run ended): a waiting `push` returns, and so do later ones. */
  close(): void {
    this.#closed = true;
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }

  async *drain(): AsyncGenerator<BatchRequest> {
    for (;;) {
      if (this.#head < this.#items.length) {
        const request = this.#items[this.#head]!;
        this.#items[this.#head++] = undefined as unknown as BatchRequest;
        if (this.#room !== undefined && this.#items.length - this.#head <= this.capacity / 2) {
          const room = this.#room;
          this.#room = undefined;
          room();
        }
        yield request;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#taker = resolve));
    }
  }

  #wake(): void {
    const taker = this.#taker;
    this.#taker = undefined;
    taker?.();
  }
}

/** A closed options object, as the extensions read it: by name. */
function asRecord(options: object): Readonly<Record<string, unknown>> {
  return options as Readonly<Record<string, unknown>>;
}
