import { createReadStream, openAsBlob } from 'node:fs';
import type OpenAI from 'openai';
import * as openaiModule from 'openai';
import type { ProviderReference } from '../../models/batch-job.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type {
  AttachedBatch,
  BatchProvider,
  PollResult,
  ProviderCallContext,
  SubmitContext,
  SubmitPart,
} from '../../provider/batch-provider.js';
import { composeClassifier, type ErrorClassifier } from '../../errors/custom-classifier.js';
import { withRaw } from '../../provider/with-raw.js';
import { checkNumberOption, checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { convertToOpenAIRequestBody } from '../../wire/openai/convert-to-openai-request-body.js';
import { fromOpenAIBatchLine } from '../../wire/openai/openai-batch-line.js';
import { openaiBatchEndpoints, type DroppedParameter, type OpenAIBatchEndpoint } from '../../wire/openai/openai-body-conversion.js';
import { createOpenAIClient, openaiConnectionOptionNames, type OpenAIConnectionOptions } from './create-openai-client.js';
import { mapOpenAIBatchStatus } from './map-openai-batch-status.js';
import { applyOpenAIModelRules } from './openai-model-rules.js';
import { parseUsage } from './parse-openai-response-body.js';
import { parseOpenAIResultLine } from './parse-openai-result-line.js';
import { readTextLineBatches, readTextLines } from './read-text-lines.js';
import { writeOpenAIBatchFile } from './write-openai-batch-file.js';

/** Options of {@link openaiBatch}. */
export interface OpenAIBatchOptions extends OpenAIConnectionOptions {
  /**
   * The endpoint every request of the job goes to. Embeddings take their `input` from
   * `providerOptions.openai.input`.
   * @default '/v1/chat/completions'
   */
  readonly endpoint?: OpenAIBatchEndpoint;
  /**
   * The completion window asked for (OpenAI accepts only `24h`). A part's own `completionWindow`
   * (from the submit options) wins.
   * @default '24h'
   */
  readonly completionWindow?: string;
  /**
   * Suggested poll interval for this provider, in ms (native batches take minutes to hours).
   * @default 30_000
   */
  readonly pollIntervalMs?: number;
  /**
   * How long OpenAI keeps the output and error files, in seconds from their creation
   * (3600–2592000). Unset: OpenAI's default (30 days).
   */
  readonly outputExpiresAfterSeconds?: number;
  /**
   * Which files `cleanup` deletes once a part's results are stored: none, the uploaded input
   * file, or input, output and error files.
   * @default 'none'
   */
  readonly cleanupFiles?: 'none' | 'input' | 'all';
  /**
   * Drop parameters a model family rejects (temperature and top_p for reasoning models), with a
   * warning, instead of letting every line fail.
   * @default true
   */
  readonly applyModelRules?: boolean;
  /** Directory for the temporary JSONL file built before upload. @default os.tmpdir() */
  readonly temporaryDirectory?: string;
  /**
   * Extends or replaces the built-in classification of failed control-plane calls (poll, results,
   * cancel, find), which decides the client's retries: called with the error and the built-in
   * verdict; return a classification, or undefined to keep the built-in one.
   */
  readonly classifyError?: ErrorClassifier;
  /**
   * Keep the provider's whole result line (its `response` with the full body, or its `error`) on
   * every succeeded and failed result, as `raw`. It is stored in the journal.
   * @default false
   */
  readonly includeRaw?: boolean;
}

/** The reference stored for an OpenAI part. */
export interface OpenAIBatchReference extends ProviderReference {
  id?: string;
  inputFileId?: string;
  outputFileId?: string;
  errorFileId?: string;
  /** Unix seconds of the upload, to bound the search for a batch created before a crash. */
  uploadedAt?: number;
  endpoint?: string;
}

/** The provider's limits for one batch: 50,000 requests, 200 MB input file, one model per file. */
export const openaiBatchLimits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024, oneModelPerPart: true } as const;

// OpenAI batch metadata: at most 16 pairs, keys up to 64 and values up to 512 characters.
const maxMetadataPairs = 16;
const maxMetadataKeyLength = 64;
const maxMetadataValueLength = 512;
const jobMetadataKey = 'llm_batch_job';
const partMetadataKey = 'llm_batch_part';
// How far before the upload a batch may have been created and still be ours (clock skew).
const findClockSkewSeconds = 300;
const caller = 'openaiBatch()';
/** The longest delay `setTimeout` keeps: a longer poll interval would fire at once. */
const maxTimerMs = 2_147_483_647;

/**
 * The OpenAI native batch adapter: uploads each part as a JSONL file, creates a `/v1/batches`
 * batch, polls it and streams the output and error files back as results.
 *
 * @example
 * import { createBatchClient } from 'llm-batch';
 * import { openaiBatch } from 'llm-batch/openai';
 *
 * const client = createBatchClient({ provider: openaiBatch({ apiKey: process.env.OPENAI_API_KEY }) });
 * const summary = await client.run([{ id: 'a', messages: [{ role: 'user', content: 'Hi' }] }], { model: 'gpt-5-mini' });
 */
export function openaiBatch(options: OpenAIBatchOptions = {}): BatchProvider & { readonly pollIntervalMs: number } {
  validateOptions(options);
  const client = createOpenAIClient(options, caller);
  const endpoint = options.endpoint ?? '/v1/chat/completions';
  const applyRules = options.applyModelRules ?? true;
  const cleanupFiles = options.cleanupFiles ?? 'none';

  function buildBody(request: BatchRequest, model: string | undefined): { body: Record<string, unknown>; dropped: DroppedParameter[] } {
    const conversion = convertToOpenAIRequestBody(request, endpoint, model === undefined ? {} : { model });
    if (!applyRules) return conversion;
    const ruled = applyOpenAIModelRules(conversion.body);
    return { body: ruled.body, dropped: [...conversion.dropped, ...ruled.dropped] };
  }

  function toLine(request: BatchRequest, model: string | undefined) {
    return { custom_id: request.id, method: 'POST', url: endpoint, body: buildBody(request, model).body };
  }

  async function uploadPart(part: SubmitPart, context: SubmitContext): Promise<string> {
    const warned = new Set<string>();
    const file = await writeOpenAIBatchFile(
      part.requests(),
      (request) => {
        const { body, dropped } = buildBody(request, part.model);
        for (const removal of dropped) {
          // Once per part and parameter: a 50,000-line part must not make 50,000 warnings.
          if (warned.has(removal.parameter)) continue;
          warned.add(removal.parameter);
          context.warn(
            `part ${part.index}: dropped \`${removal.parameter}\`${removal.model ? ` for ${removal.model}` : ''} (${removal.reason})`,
          );
        }
        return JSON.stringify({ custom_id: request.id, method: 'POST', url: endpoint, body });
      },
      { ...(context.signal ? { signal: context.signal } : {}), ...(options.temporaryDirectory ? { directory: options.temporaryDirectory } : {}) },
    );
    try {
      const uploaded = await client.files.create(
        { file: await uploadable(file.path, `${part.jobId}-${part.partId}.jsonl`), purpose: 'batch' },
        { ...requestOptions(context), fetchOptions: streamingUploadInit },
      );
      return uploaded.id;
    } finally {
      await file.remove();
    }
  }

  function batchMetadata(part: SubmitPart, context: SubmitContext): Record<string, string> {
    const metadata: Record<string, string> = {};
    let kept = 0;
    for (const [key, value] of Object.entries(part.metadata)) {
      if (key === jobMetadataKey || key === partMetadataKey) continue;
      if (kept >= maxMetadataPairs - 2 || key.length > maxMetadataKeyLength || typeof value !== 'string') {
        context.warn(`part ${part.index}: metadata key "${key.slice(0, maxMetadataKeyLength)}" not sent (OpenAI allows ${maxMetadataPairs} pairs, keys up to ${maxMetadataKeyLength} characters)`);
        continue;
      }
      metadata[key] = value.slice(0, maxMetadataValueLength);
      kept += 1;
    }
    metadata[jobMetadataKey] = part.jobId;
    metadata[partMetadataKey] = part.partId;
    return metadata;
  }

  async function retrieve(id: string, context: ProviderCallContext): Promise<OpenAI.Batches.Batch> {
    return client.batches.retrieve(id, requestOptions(context));
  }

  async function* streamFile(fileId: string, kind: string, context: ProviderCallContext, seen: Set<string>): AsyncGenerator<BatchResult> {
    const response = await client.files.content(fileId, requestOptions(context));
    if (response.body === null) return;
    // One generator step per chunk of the file, not per line (results() of a 200 MB file).
    for await (const batch of readTextLineBatches(response.body as AsyncIterable<Uint8Array>)) {
      for (const { line, number } of batch) {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          context.warn(`${kind} file ${fileId}, line ${number}: not valid JSON; its request is reported as missing`);
          continue;
        }
        const parsed = parseOpenAIResultLine(value);
        const result = parsed !== undefined && options.includeRaw === true ? withRaw(parsed, value) : parsed;
        if (result === undefined) {
          context.warn(`${kind} file ${fileId}, line ${number}: not a batch result line (no custom_id); skipped`);
          continue;
        }
        if (seen.has(result.id)) {
          context.warn(`${kind} file ${fileId}, line ${number}: second result for "${result.id}"; skipped`);
          continue;
        }
        seen.add(result.id);
        yield result;
      }
    }
  }

  return {
    name: 'openai',
    mode: 'native',
    limits: openaiBatchLimits,
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    ...(options.classifyError === undefined ? {} : { classifyError: composeClassifier(options.classifyError) }),

    async submit(part, context) {
      const previous = context.previous as OpenAIBatchReference | undefined;
      // Reuse a file uploaded before a crash: uploading again would only cost time and storage.
      let inputFileId = typeof previous?.inputFileId === 'string' ? previous.inputFileId : undefined;
      let uploadedAt = previous?.uploadedAt;
      if (inputFileId === undefined) {
        inputFileId = await uploadPart(part, context);
        uploadedAt = Math.floor(Date.now() / 1000);
        await context.checkpoint({ inputFileId, uploadedAt, endpoint });
      }
      const body: OpenAI.Batches.BatchCreateParams = {
        input_file_id: inputFileId,
        endpoint: endpoint as OpenAI.Batches.BatchCreateParams['endpoint'],
        completion_window: (part.completionWindow ?? options.completionWindow ?? '24h') as '24h',
        metadata: batchMetadata(part, context),
      };
      if (options.outputExpiresAfterSeconds !== undefined) {
        body.output_expires_after = { anchor: 'created_at', seconds: options.outputExpiresAfterSeconds };
      }
      // Never retried, not even by a user's client: a create whose answer was lost may have made a batch.
      const batch = await client.batches.create(body, { ...requestOptions(context), maxRetries: 0 });
      const reference: OpenAIBatchReference & { id: string } = { id: batch.id, inputFileId, endpoint };
      if (uploadedAt !== undefined) reference.uploadedAt = uploadedAt;
      return reference;
    },

    async find(part, context) {
      const previous = context.previous as OpenAIBatchReference | undefined;
      // The input file id is checkpointed before the batch is created: without it, no batch exists.
      if (typeof previous?.inputFileId !== 'string') return undefined;
      const oldest = typeof previous.uploadedAt === 'number' ? previous.uploadedAt - findClockSkewSeconds : undefined;
      for await (const batch of client.batches.list({ limit: 100 }, requestOptions(context))) {
        const metadata = (batch.metadata ?? {}) as Record<string, string>;
        if (
          batch.input_file_id === previous.inputFileId &&
          metadata[jobMetadataKey] === part.jobId &&
          metadata[partMetadataKey] === part.partId
        ) {
          return { id: batch.id, inputFileId: previous.inputFileId, endpoint, ...(previous.uploadedAt ? { uploadedAt: previous.uploadedAt } : {}) };
        }
        // The list is newest first: past the upload time, the batch was never created.
        if (oldest !== undefined && batch.created_at < oldest) return undefined;
      }
      return undefined;
    },

    async attach(batchId, context): Promise<AttachedBatch> {
      const batch = await retrieve(batchId, context);
      const counts = batch.request_counts;
      const inputFileId = batch.input_file_id;
      const metadata = Object.fromEntries(Object.entries(batch.metadata ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      return {
        reference: { id: batch.id, inputFileId, endpoint: batch.endpoint },
        requestCount: counts?.total ?? 0,
        ...(batch.model ? { model: batch.model } : {}),
        metadata,
        // The input file, read back: the batch's requests as they were sent.
        async *requests() {
          const response = await client.files.content(inputFileId, requestOptions(context));
          if (response.body === null) return;
          let index = 0;
          for await (const { line } of readTextLines(response.body as AsyncIterable<Uint8Array>)) {
            if (line.trim() === '') continue;
            yield fromOpenAIBatchLine(JSON.parse(line) as unknown, index++);
          }
        },
      };
    },

    async poll(reference, context): Promise<PollResult> {
      const batch = await retrieve(referenceId(reference), context);
      const status = mapOpenAIBatchStatus(batch.status);
      const result: PollResult = { status, rawStatus: batch.status };
      const requestCounts = batch.request_counts;
      if (requestCounts) {
        const remainder = Math.max(0, requestCounts.total - requestCounts.completed - requestCounts.failed);
        result.counts = { succeeded: requestCounts.completed, failed: requestCounts.failed };
        if (status === 'expired') result.counts.expired = remainder;
        else if (status === 'cancelled') result.counts.cancelled = remainder;
        else if (status !== 'completed' && status !== 'failed') result.counts.pending = remainder;
      }
      if (batch.usage) result.usage = parseUsage(batch.usage as unknown as Record<string, unknown>);
      const errors = batch.errors?.data ?? [];
      if (errors.length > 0) result.error = describeBatchErrors(errors);
      const fileReference: OpenAIBatchReference = {};
      // An empty string means "no file" (observed on clean batches).
      if (batch.output_file_id) fileReference.outputFileId = batch.output_file_id;
      if (batch.error_file_id) fileReference.errorFileId = batch.error_file_id;
      if (Object.keys(fileReference).length > 0) result.reference = fileReference;
      return result;
    },

    async *results(reference, context) {
      // The batch, not the stored reference, is the authority on which files exist.
      const batch = await retrieve(referenceId(reference), context);
      const seen = new Set<string>();
      if (batch.output_file_id) yield* streamFile(batch.output_file_id, 'output', context, seen);
      if (batch.error_file_id) yield* streamFile(batch.error_file_id, 'error', context, seen);
    },

    async cancel(reference, context) {
      const id = referenceId(reference);
      try {
        await client.batches.cancel(id, requestOptions(context));
      } catch (error) {
        // Cancelling a batch that already ended is not a failure of the cancel.
        const batch = await retrieve(id, context).catch(() => undefined);
        if (batch && ['completed', 'failed', 'expired', 'cancelled', 'cancelling'].includes(batch.status)) return;
        throw error;
      }
    },

    async cleanup(reference, context) {
      if (cleanupFiles === 'none') return;
      const stored = reference as OpenAIBatchReference;
      const fileIds = [stored.inputFileId];
      if (cleanupFiles === 'all') fileIds.push(stored.outputFileId, stored.errorFileId);
      for (const fileId of fileIds) {
        if (typeof fileId === 'string' && fileId !== '') await deleteFile(client, fileId, context);
      }
    },

    preview(request) {
      return toLine(request, request.model);
    },

    measure(request) {
      return Buffer.byteLength(JSON.stringify(toLine(request, request.model))) + 1;
    },
  };
}

type StreamingFileFactory = (data: AsyncIterable<Uint8Array>, name: string, options?: { type?: string }) => unknown;

/**
 * The input file as an upload that streams from disk. SDK versions with `toStreamingFile` encode the
 * multipart body lazily; older ones get a file-backed Blob, which fetch also reads in chunks.
 */
async function uploadable(path: string, name: string): Promise<File> {
  const toStreamingFile = (openaiModule as unknown as { toStreamingFile?: StreamingFileFactory }).toStreamingFile;
  if (typeof toStreamingFile === 'function') {
    return toStreamingFile(createReadStream(path), name, { type: 'application/jsonl' }) as File;
  }
  const blob = await openAsBlob(path, { type: 'application/jsonl' });
  return new File([blob], name, { type: 'application/jsonl' });
}

/**
 * Fetch options for the upload. Node's fetch (undici) clones a request that may follow a redirect
 * and tees its body for the replay: the branch kept for it is never read, so a streamed body ends
 * up wholly in memory (the size of the file, off the heap). With no window and no redirects, fetch
 * sends the request as it is and the file streams through.
 */
const streamingUploadInit = { window: null, redirect: 'error' } as const;

function requestOptions(context: ProviderCallContext): { signal?: AbortSignal } {
  return context.signal ? { signal: context.signal } : {};
}

function referenceId(reference: ProviderReference): string {
  const id = reference['id'];
  if (typeof id !== 'string' || id === '') throw new TypeError('openaiBatch: the part reference has no batch id');
  return id;
}

/** Validation errors of an input file as one text that names the lines. */
function describeBatchErrors(errors: readonly OpenAI.Batches.BatchError[]): string {
  const shown = errors.slice(0, 10).map((error) => {
    const where = typeof error.line === 'number' ? `line ${error.line}: ` : '';
    const code = error.code ? ` (${error.code})` : '';
    return `${where}${error.message ?? 'invalid'}${code}`;
  });
  if (errors.length > shown.length) shown.push(`and ${errors.length - shown.length} more`);
  return `input file failed validation: ${shown.join('; ')}`;
}

/** Deletes a file with whichever method the SDK major has (`delete` in 5+, `del` before); a missing file is fine. */
async function deleteFile(client: OpenAI, fileId: string, context: ProviderCallContext): Promise<void> {
  const files = client.files as unknown as Record<string, unknown>;
  const remove = (typeof files['delete'] === 'function' ? files['delete'] : files['del']) as
    | ((id: string, options?: { signal?: AbortSignal }) => Promise<unknown>)
    | undefined;
  if (remove === undefined) return;
  try {
    await remove.call(client.files, fileId, requestOptions(context));
  } catch (error) {
    if ((error as { status?: unknown }).status !== 404) throw error;
  }
}

const openaiBatchOptionNames = [
  ...openaiConnectionOptionNames,
  ...optionNames<Omit<OpenAIBatchOptions, keyof OpenAIConnectionOptions>>({
    endpoint: true,
    completionWindow: true,
    pollIntervalMs: true,
    outputExpiresAfterSeconds: true,
    cleanupFiles: true,
    applyModelRules: true,
    temporaryDirectory: true,
    classifyError: true,
    includeRaw: true,
  }),
];

function validateOptions(options: OpenAIBatchOptions): void {
  checkOptionKeys(caller, options, openaiBatchOptionNames);
  if (options.endpoint !== undefined && !(openaiBatchEndpoints as readonly string[]).includes(options.endpoint)) {
    failOption(caller, 'endpoint', `one of ${openaiBatchEndpoints.join(', ')}`, options.endpoint);
  }
  if (options.completionWindow !== undefined && (typeof options.completionWindow !== 'string' || options.completionWindow === '')) {
    failOption(caller, 'completionWindow', 'a string such as "24h"', options.completionWindow);
  }
  checkNumberOption(caller, 'pollIntervalMs', options.pollIntervalMs, { min: 1, max: maxTimerMs });
  checkNumberOption(caller, 'outputExpiresAfterSeconds', options.outputExpiresAfterSeconds, { min: 3600, max: 2_592_000, integer: true });
  if (options.cleanupFiles !== undefined && !['none', 'input', 'all'].includes(options.cleanupFiles)) {
    failOption(caller, 'cleanupFiles', '"none", "input" or "all"', options.cleanupFiles);
  }
  if (options.applyModelRules !== undefined && typeof options.applyModelRules !== 'boolean') {
    failOption(caller, 'applyModelRules', 'a boolean', options.applyModelRules);
  }
  if (options.temporaryDirectory !== undefined && (typeof options.temporaryDirectory !== 'string' || options.temporaryDirectory === '')) {
    failOption(caller, 'temporaryDirectory', 'a non-empty string', options.temporaryDirectory);
  }
  if (options.classifyError !== undefined && typeof options.classifyError !== 'function') failOption(caller, 'classifyError', 'a function', options.classifyError);
  if (options.includeRaw !== undefined && typeof options.includeRaw !== 'boolean') failOption(caller, 'includeRaw', 'a boolean', options.includeRaw);
}
