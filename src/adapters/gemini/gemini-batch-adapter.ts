import type { BatchJob as GeminiBatchJob, GoogleGenAI, InlinedRequest } from '@google/genai';
import type { ProviderReference } from '../../models/batch-job.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type { BatchProvider, PollResult, ProviderCallContext, SubmitContext, SubmitPart } from '../../provider/batch-provider.js';
import { checkPositiveInteger } from '../../validation/check-connection-options.js';
import { checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { convertToGeminiRequest } from './convert-to-gemini-request.js';
import { abortOf, downloadGeminiLines } from './download-gemini-lines.js';
import { attachGeminiBatch } from './attach-gemini-batch.js';
import { deleteUnlessGone } from './delete-unless-gone.js';
import { createGeminiClient, geminiClientOptionNames, type GeminiClientOptions } from './create-gemini-client.js';
import { checkCacheOption, estimateCacheTokens, GeminiContextCache, pendingCacheName, type GeminiCacheOptions } from './gemini-context-cache.js';
import type { GeminiGenerateContentRequest } from './gemini-request.js';
import { mapGeminiBatchState } from './map-gemini-batch-state.js';
import { isUnreadableGeminiLine, parseGeminiResultLine } from './parse-gemini-result-line.js';
import { toGeminiSdkRequest } from './to-gemini-sdk-request.js';
import { writeGeminiBatchPart } from './write-gemini-batch-part.js';

/** Options of {@link geminiBatch}. */
export interface GeminiBatchOptions extends GeminiClientOptions {
  /**
   * How often the client should poll a running batch, in milliseconds (Gemini targets 24 hours).
   * @default 30_000
   */
  readonly pollIntervalMs?: number;
  /**
   * Parts whose request lines total less than this go inline in the create call; larger ones are
   * uploaded as a JSONL file through the Files API. Gemini takes inline requests up to 20 MB.
   * @default 19_000_000
   */
  readonly inlineMaxBytes?: number;
  /**
   * The most requests in one part (one Gemini batch job); a larger job is split.
   * @default 100_000
   */
  readonly maxRequestsPerPart?: number;
  /**
   * The most bytes of request lines in one part (Gemini takes input files up to 2 GB).
   * @default 1_900_000_000
   */
  readonly maxBytesPerPart?: number;
  /**
   * What `cleanup` deletes once a part's results are stored: nothing, the uploaded input file and
   * the responses file (Gemini keeps files 48 hours and counts them against the project's
   * storage), or the files and the batch job too.
   * @default 'files'
   */
  readonly cleanup?: 'none' | 'files' | 'all';
  /**
   * A context cache every request references: a cache name you already have (`cachedContents/...`,
   * only referenced), or what to put in one: created once per job and model before the first part
   * is submitted, its TTL extended while a part runs, deleted once no part of the job runs (unless `keep`).
   */
  readonly cache?: GeminiCacheOptions | string;
  /** Directory for the temporary JSONL files built before upload and after download. @default os.tmpdir() */
  readonly temporaryDirectory?: string;
}

/** The reference stored for a Gemini part. */
export interface GeminiBatchReference extends ProviderReference {
  /** The batch job's name, `batches/...`. */
  id?: string;
  /** `llm-batch:<job>:<part>`: how `find` recognises the job after a crash. */
  displayName?: string;
  model?: string;
  /** The uploaded input file (`files/...`) of a file part. */
  inputFileName?: string;
  /** The responses file (`files/...`) once the job has succeeded with file output. */
  responsesFileName?: string;
  /** The context cache the requests reference. */
  cacheName?: string;
  /** ISO time of the create call, to bound `find`. */
  submittingAt?: string;
  /** A batch made elsewhere (`client.attach`): its files and the batch are not ours to delete. */
  attached?: boolean;
}

/** The provider object returned by {@link geminiBatch}. */
export interface GeminiBatchProvider extends BatchProvider {
  readonly name: 'gemini';
  readonly mode: 'native';
  readonly pollIntervalMs: number;
  /** The SDK client in use (the user's, or the one made from `apiKey` / `baseURL`). */
  readonly client: GoogleGenAI;
}

const caller = 'geminiBatch()';
const geminiBatchOptionNames = [
  ...geminiClientOptionNames,
  ...optionNames<Omit<GeminiBatchOptions, keyof GeminiClientOptions>>({
    pollIntervalMs: true,
    inlineMaxBytes: true,
    maxRequestsPerPart: true,
    maxBytesPerPart: true,
    cleanup: true,
    cache: true,
    temporaryDirectory: true,
  }),
];
const displayNamePrefix = 'llm-batch';
/** How many batch jobs `find` and the cache clean-up look through, newest first. */
const maxListedJobs = 1_000;
// A create is never retried: even a user's client with retries sends it once.
const sendOnce = { retryOptions: { attempts: 1 } };

/**
 * The Gemini Batch Mode adapter (half price, target turnaround 24 hours, expires after 48 hours):
 * small parts go inline in the create call, large ones as a JSONL file through the Files API.
 * Results keep the input order and carry the request id as `key`.
 *
 * ```ts
 * import { createBatchClient } from 'llm-batch';
 * import { geminiBatch } from 'llm-batch/gemini';
 *
 * const client = createBatchClient({ provider: geminiBatch() }); // GEMINI_API_KEY
 * const summary = await client.run(requests, { model: 'gemini-2.5-flash' });
 * ```
 *
 * Creation is not idempotent (a second create is a second job, paid twice), so each job gets the
 * part's identity as its `displayName` and `find` looks it up after a crash instead of creating again.
 */
export function geminiBatch(options: GeminiBatchOptions = {}): GeminiBatchProvider {
  validateOptions(options);
  const client = createGeminiClient(options, caller);
  const cache = options.cache === undefined ? undefined : new GeminiContextCache(client, options.cache);
  const inlineMaxBytes = options.inlineMaxBytes ?? 19_000_000;
  const cleanupMode = options.cleanup ?? 'files';
  const cacheTokens = options.cache === undefined ? 0 : estimateCacheTokens(options.cache);
  // Gemini has no cancelling state: a job keeps running for a moment after an accepted cancel.
  const cancelRequested = new Set<string>();

  const toRequest = (request: BatchRequest, cachedContent: string | undefined): GeminiGenerateContentRequest =>
    convertToGeminiRequest(request, cachedContent === undefined ? {} : { cachedContent });
  const toLine = (request: BatchRequest) => ({ key: request.id, request: toRequest(request, cache === undefined ? undefined : pendingCacheName) });

  async function buildAndUpload(part: SubmitPart, model: string, cachedContent: string | undefined, context: SubmitContext) {
    const built = await writeGeminiBatchPart(part.requests(), (request) => toRequest(request, cachedContent), {
      inlineMaxBytes,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(options.temporaryDirectory ? { directory: options.temporaryDirectory } : {}),
    });
    if (built.kind === 'inline') {
      const inlined: InlinedRequest[] = built.requests.map(({ key, request }) => ({ ...toGeminiSdkRequest(request), metadata: { key } }) as InlinedRequest);
      return { inlined };
    }
    try {
      const file = await client.files.upload({
        file: built.path,
        config: { mimeType: 'jsonl', displayName: `${partDisplayName(part)}:input`, ...abortOf(context) },
      });
      if (typeof file.name !== 'string' || file.name === '') throw new Error('geminiBatch: the Files API returned no file name for the upload');
      return { fileName: file.name, model };
    } finally {
      await built.remove();
    }
  }

  async function getJob(reference: ProviderReference, context: ProviderCallContext): Promise<GeminiBatchJob> {
    return client.batches.get({ name: jobName(reference), config: abortOf(context) });
  }

  return {
    name: 'gemini',
    mode: 'native',
    limits: {
      maxRequests: options.maxRequestsPerPart ?? 100_000,
      maxBytes: options.maxBytesPerPart ?? 1_900_000_000,
      // A batch job runs one model.
      oneModelPerPart: true,
    },
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    client,

    async submit(part, context) {
      const model = part.model;
      if (model === undefined) throw new TypeError(`geminiBatch: part ${part.index + 1} has no model`);
      const previous = context.previous as GeminiBatchReference | undefined;
      const displayName = partDisplayName(part);
      const cacheName = previous?.cacheName ?? (cache === undefined ? undefined : await cache.acquire(model, part.jobId, context.signal));
      // Reuse a file uploaded before a crash: uploading again would only cost time and storage.
      let inputFileName = previous?.inputFileName;
      let inlined: InlinedRequest[] | undefined;
      if (inputFileName === undefined) {
        const built = await buildAndUpload(part, model, cacheName, context);
        inputFileName = built.fileName;
        inlined = built.inlined;
      }
      const submittingAt = new Date().toISOString();
      const reference: GeminiBatchReference = {
        displayName,
        model,
        submittingAt,
        ...(inputFileName === undefined ? {} : { inputFileName }),
        ...(cacheName === undefined ? {} : { cacheName }),
      };
      // Durable before the create, so that find() knows what to look for after a crash in between.
      await context.checkpoint(reference);
      const job = await client.batches.create({
        model,
        src: inputFileName ?? inlined ?? [],
        config: { displayName, httpOptions: sendOnce, ...abortOf(context) },
      });
      if (typeof job.name !== 'string' || job.name === '') throw new Error('geminiBatch: the create call returned no batch name');
      return { ...reference, id: job.name };
    },

    async find(part, context) {
      const previous = context.previous as GeminiBatchReference | undefined;
      const displayName = previous?.displayName ?? partDisplayName(part);
      for await (const job of listJobs(client, context)) {
        if (job.displayName === displayName && typeof job.name === 'string') {
          return { ...previous, displayName, id: job.name };
        }
      }
      return undefined;
    },

    attach(batchId, context) {
      return attachGeminiBatch(client, batchId, context, options.temporaryDirectory);
    },

    async poll(reference, context): Promise<PollResult> {
      const job = await getJob(reference, context);
      const mapped = mapGeminiBatchState(job.state);
      const status = mapped === 'in_progress' && cancelRequested.has(jobName(reference)) ? 'cancelling' : mapped;
      const result: PollResult = { status, ...(job.state ? { rawStatus: job.state } : {}) };
      if (status === 'failed') result.error = job.error?.message ?? 'Gemini reports the batch job failed';
      if (job.dest?.fileName) result.reference = { responsesFileName: job.dest.fileName };
      const cacheName = (reference as GeminiBatchReference).cacheName;
      // A running job still needs its cache: keep it from expiring under the job.
      if (cache !== undefined && cacheName !== undefined && (status === 'in_progress' || status === 'cancelling')) {
        await cache.keepAlive(cacheName, context.signal);
      }
      return result;
    },

    async *results(reference, context) {
      const job = await getJob(reference, context);
      const model = (reference as GeminiBatchReference).model ?? job.model?.replace(/^models\//, '') ?? '';
      const unreadable: string[] = [];
      const seen = new Set<string>();
      const accept = (result: BatchResult | { unreadable: string }): BatchResult | undefined => {
        if (isUnreadableGeminiLine(result)) {
          unreadable.push(result.unreadable);
          return undefined;
        }
        if (seen.has(result.id)) {
          unreadable.push(`a second result for \`${result.id}\``);
          return undefined;
        }
        seen.add(result.id);
        return result;
      };
      // Inline responses keep the order of the requests: one without a key (a batch made elsewhere)
      // takes the id its request got from attach, `request-<position>`.
      for (const [index, response] of (job.dest?.inlinedResponses ?? []).entries()) {
        const result = accept(parseGeminiResultLine(response, model, `request-${index + 1}`));
        if (result) yield result;
      }
      if (job.dest?.fileName) {
        for await (const line of downloadGeminiLines(client, job.dest.fileName, context, options.temporaryDirectory)) {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            unreadable.push('a line that is not valid JSON');
            continue;
          }
          const result = accept(parseGeminiResultLine(value, model));
          if (result) yield result;
        }
      }
      if (unreadable.length > 0) {
        context.warn(`gemini: ${unreadable.length} result(s) of ${jobName(reference)} could not be read (first: ${unreadable[0]}); their requests are reported as missing`);
      }
    },

    async cancel(reference, context) {
      try {
        await client.batches.cancel({ name: jobName(reference), config: abortOf(context) });
        cancelRequested.add(jobName(reference));
      } catch (error) {
        // Cancelling a job that already ended is not a failure of the cancel.
        const job = await getJob(reference, context).catch(() => undefined);
        const status = mapGeminiBatchState(job?.state);
        if (job !== undefined && status !== 'in_progress') return;
        throw error;
      }
    },

    async cleanup(reference, context) {
      const stored = reference as GeminiBatchReference;
      if (stored.attached === true) return;
      if (cleanupMode !== 'none') {
        for (const fileName of [stored.inputFileName, stored.responsesFileName]) {
          if (typeof fileName !== 'string' || fileName === '') continue;
          await deleteUnlessGone(
            fileName,
            () => client.files.delete({ name: fileName, config: abortOf(context) }),
            () => client.files.list({ config: { pageSize: 100, ...abortOf(context) } }),
          );
        }
      }
      if (cleanupMode === 'all' && typeof stored.id === 'string') {
        await ignoreMissing(client.batches.delete({ name: stored.id, config: abortOf(context) }));
      }
      if (cache !== undefined && stored.cacheName !== undefined && !cache.keep) {
        // The job's other parts may still run on the same cache: delete it only once none does.
        const prefix = jobPrefix(stored.displayName);
        let running = false;
        for await (const job of listJobs(client, context)) {
          if (job.name === stored.id || prefix === undefined || !job.displayName?.startsWith(prefix)) continue;
          const status = mapGeminiBatchState(job.state);
          if (status === 'in_progress' || status === 'cancelling') running = true;
        }
        if (!running) await cache.delete(stored.cacheName, context.signal);
      }
    },

    preview(request) {
      return toLine(request);
    },

    cachedInputTokens() {
      // Every request reads the whole cache: the estimate prices it at the cached rate.
      return cacheTokens;
    },

    measure(request) {
      // The JSONL line of the request (what a file part holds; an inline part is about as large).
      return Buffer.byteLength(JSON.stringify(toLine(request))) + 1;
    },
  };
}

/** `llm-batch:<job id>:<part id>`: unique per part, and what `find` looks for. */
function partDisplayName(part: SubmitPart): string {
  return `${displayNamePrefix}:${part.jobId}:${part.partId}`;
}

function jobPrefix(displayName: string | undefined): string | undefined {
  if (displayName === undefined) return undefined;
  const cut = displayName.lastIndexOf(':');
  return cut <= 0 ? undefined : displayName.slice(0, cut + 1);
}

function jobName(reference: ProviderReference): string {
  const id = reference['id'];
  if (typeof id !== 'string' || id === '') throw new TypeError('geminiBatch: the part reference has no batch name');
  return id;
}

async function* listJobs(client: GoogleGenAI, context: ProviderCallContext): AsyncGenerator<GeminiBatchJob> {
  const pager = await client.batches.list({ config: { pageSize: 100, ...abortOf(context) } });
  let listed = 0;
  for await (const job of pager) {
    yield job;
    if (++listed >= maxListedJobs) return;
  }
}

/** A batch job already deleted answers 404 (unlike files and caches, see `deleteUnlessGone`). */
async function ignoreMissing(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if ((error as { status?: unknown }).status !== 404) throw error;
  }
}

function validateOptions(options: GeminiBatchOptions): void {
  checkOptionKeys(caller, options, geminiBatchOptionNames);
  checkPositiveInteger(caller, 'pollIntervalMs', options.pollIntervalMs);
  checkPositiveInteger(caller, 'inlineMaxBytes', options.inlineMaxBytes);
  checkPositiveInteger(caller, 'maxRequestsPerPart', options.maxRequestsPerPart);
  checkPositiveInteger(caller, 'maxBytesPerPart', options.maxBytesPerPart);
  if (options.cleanup !== undefined && !['none', 'files', 'all'].includes(options.cleanup)) {
    failOption(caller, 'cleanup', '"none", "files" or "all"', options.cleanup);
  }
  checkCacheOption(caller, options.cache);
  if (options.temporaryDirectory !== undefined && (typeof options.temporaryDirectory !== 'string' || options.temporaryDirectory === '')) {
    failOption(caller, 'temporaryDirectory', 'a non-empty string', options.temporaryDirectory);
  }
}
