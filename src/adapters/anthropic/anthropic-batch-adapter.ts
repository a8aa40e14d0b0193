import type Anthropic from '@anthropic-ai/sdk';
import { decodeJsonl } from '../../jsonl/decode-jsonl.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type { ProviderReference } from '../../models/batch-job.js';
import type {
  AttachedBatch,
  BatchProvider,
  PollResult,
  ProviderCallContext,
  SubmitContext,
  SubmitPart,
} from '../../provider/batch-provider.js';
import { convertToAnthropicParams, type AnthropicMessageParams } from './convert-to-anthropic-params.js';
import { composeClassifier, type ErrorClassifier } from '../../errors/custom-classifier.js';
import { withRaw } from '../../provider/with-raw.js';
import { checkPositiveInteger } from '../../validation/check-connection-options.js';
import { checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { anthropicClientOptionNames, createAnthropicClient, type AnthropicClientOptions } from './create-anthropic-client.js';
import { mapAnthropicBatchStatus, type AnthropicMessageBatch } from './map-anthropic-batch-status.js';
import { isUnreadableResultLine, parseAnthropicResultLine } from './parse-anthropic-result-line.js';

/** The `max_tokens` sent for requests without `maxTokens` unless `defaultMaxTokens` says otherwise. */
export const defaultAnthropicMaxTokens = 4096;

/** Options of {@link anthropicBatch}. */
export interface AnthropicBatchOptions extends AnthropicClientOptions {
  /**
   * How often the client should poll a running batch, in milliseconds. Most batches finish within
   * an hour; polling more often than every few seconds only spends rate limit.
   * @default 30_000
   */
  readonly pollIntervalMs?: number;
  /**
   * `max_tokens` for requests that set no `maxTokens` (the Messages API requires it). Each part that
   * uses it gets one job warning naming how many requests did.
   * @default 4096
   */
  readonly defaultMaxTokens?: number;
  /**
   * Delete the provider batch once its results are stored (Anthropic otherwise keeps them 29 days).
   * @default false
   */
  readonly deleteAfterResults?: boolean;
  /**
   * How far around the moment a part was submitted `find()` looks for a batch created before a
   * crash, in milliseconds (covers clock skew between this machine and the API and slow creates).
   * @default 600_000 (10 minutes)
   */
  readonly findWindowMs?: number;
  /**
   * Extends or replaces the built-in classification of failed control-plane calls (poll, results,
   * cancel, find), which decides the client's retries: called with the error and the built-in
   * verdict; return a classification, or undefined to keep the built-in one.
   */
  readonly classifyError?: ErrorClassifier;
  /**
   * Keep the provider's whole result line (the full `message`, or the `error`) on every succeeded
   * and failed result, as `raw`. It is stored in the journal.
   * @default false
   */
  readonly includeRaw?: boolean;
}

/** The reference stored for one part: the batch id plus what `find()` and the user may want to see. */
export interface AnthropicBatchReference extends ProviderReference {
  id: string;
  createdAt?: string;
  expiresAt?: string;
  endedAt?: string;
  resultsUrl?: string;
}

/** The provider object returned by {@link anthropicBatch}. */
export interface AnthropicBatchProvider extends BatchProvider {
  readonly name: 'anthropic';
  readonly mode: 'native';
  /** The poll interval the client should use for this provider. */
  readonly pollIntervalMs: number;
  /** The SDK client in use (the user's, or the one made from `apiKey` / `baseURL`). */
  readonly client: Anthropic;
}

const caller = 'anthropicBatch()';
const anthropicBatchOptionNames = [
  ...anthropicClientOptionNames,
  ...optionNames<Omit<AnthropicBatchOptions, keyof AnthropicClientOptions>>({
    pollIntervalMs: true,
    defaultMaxTokens: true,
    deleteAfterResults: true,
    findWindowMs: true,
    classifyError: true,
    includeRaw: true,
  }),
];
const searchPageSize = 100;
/** When `find()` has no record of the submit time, it looks this far back. */
const findLookbackMs = 24 * 60 * 60 * 1000;

/**
 * The Anthropic Message Batches adapter (50% cheaper, results usually within an hour, at most 24 h).
 *
 * ```ts
 * import { createBatchClient } from 'llm-batch';
 * import { anthropicBatch } from 'llm-batch/anthropic';
 *
 * const client = createBatchClient({ provider: anthropicBatch({ defaultMaxTokens: 1024 }) });
 * const summary = await client.run(requests, { model: 'claude-haiku-4-5' });
 * ```
 *
 * Batches carry no metadata, so `find()` (resume after a crash between create and the store
 * write) matches by request count within a time window around the recorded submit time.
 */
export function anthropicBatch(options: AnthropicBatchOptions = {}): AnthropicBatchProvider {
  checkOptionKeys(caller, options, anthropicBatchOptionNames);
  checkPositiveInteger(caller, 'pollIntervalMs', options.pollIntervalMs);
  checkPositiveInteger(caller, 'defaultMaxTokens', options.defaultMaxTokens);
  checkPositiveInteger(caller, 'findWindowMs', options.findWindowMs);
  if (options.deleteAfterResults !== undefined && typeof options.deleteAfterResults !== 'boolean') {
    failOption(caller, 'deleteAfterResults', 'a boolean', options.deleteAfterResults);
  }
  if (options.classifyError !== undefined && typeof options.classifyError !== 'function') failOption(caller, 'classifyError', 'a function', options.classifyError);
  if (options.includeRaw !== undefined && typeof options.includeRaw !== 'boolean') failOption(caller, 'includeRaw', 'a boolean', options.includeRaw);
  const client = createAnthropicClient(options, caller);
  const defaultMaxTokens = options.defaultMaxTokens ?? defaultAnthropicMaxTokens;
  const findWindowMs = options.findWindowMs ?? 600_000;

  const toLine = (request: BatchRequest, model?: string): { custom_id: string; params: AnthropicMessageParams } => ({
    custom_id: request.id,
    params: convertToAnthropicParams(request, { defaultMaxTokens, ...(model === undefined ? {} : { model }) }).params,
  });

  return {
    name: 'anthropic',
    mode: 'native',
    limits: { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024, oneModelPerPart: false, idPattern: /^[a-zA-Z0-9_-]{1,64}$/ },
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    client,
    ...(options.classifyError === undefined ? {} : { classifyError: composeClassifier(options.classifyError) }),

    async submit(part: SubmitPart, context: SubmitContext): Promise<AnthropicBatchReference> {
      const requests: Anthropic.Messages.BatchCreateParams.Request[] = [];
      let defaulted = 0;
      for await (const request of part.requests()) {
        context.signal?.throwIfAborted();
        const converted = convertToAnthropicParams(request, {
          defaultMaxTokens,
          ...(part.model === undefined ? {} : { model: part.model }),
        });
        if (converted.usedDefaultMaxTokens) defaulted += 1;
        requests.push({ custom_id: request.id, params: converted.params as Anthropic.MessageCreateParamsNonStreaming });
      }
      if (defaulted > 0) {
        context.warn(
          `anthropic: ${defaulted} of ${requests.length} requests in part ${part.index + 1} set no maxTokens; sent max_tokens: ${defaultMaxTokens}`,
        );
      }
      // Recorded before the create so that find() knows when to look after a crash in between.
      await context.checkpoint({
        submittingAt: new Date().toISOString(),
        requestCount: requests.length,
        firstCustomId: requests[0]?.custom_id,
        lastCustomId: requests.at(-1)?.custom_id,
      });
      // Never retried by the SDK, whatever the client's settings: a second create is a second bill.
      const batch = await client.messages.batches.create({ requests }, { signal: context.signal ?? null, maxRetries: 0 });
      return toReference(batch);
    },

    // Anthropic does not give a batch's requests back: the client keeps its results under their ids.
    async attach(id: string, context: ProviderCallContext): Promise<AttachedBatch> {
      const batch = await client.messages.batches.retrieve(id, undefined, { signal: context.signal ?? null });
      return { reference: toReference(batch), requestCount: totalRequests(batch) };
    },

    async poll(reference: ProviderReference, context: ProviderCallContext): Promise<PollResult> {
      const batch = await client.messages.batches.retrieve(batchId(reference), undefined, { signal: context.signal ?? null });
      return mapAnthropicBatchStatus(batch);
    },

    results(reference: ProviderReference, context: ProviderCallContext): AsyncIterable<BatchResult> {
      return readResults(client, batchId(reference), context, options.includeRaw === true);
    },

    async cancel(reference: ProviderReference, context: ProviderCallContext): Promise<void> {
      await client.messages.batches.cancel(batchId(reference), undefined, { signal: context.signal ?? null });
    },

    async find(part: SubmitPart, context: SubmitContext): Promise<AnthropicBatchReference | undefined> {
      return findBatch(client, part, context, findWindowMs);
    },

    preview(request: BatchRequest): unknown {
      return toLine(request);
    },

    measure(request: BatchRequest): number {
      // Plus one byte for the comma between array items of the create body.
      return Buffer.byteLength(JSON.stringify(safeLine(request, toLine))) + 1;
    },

    async cleanup(reference: ProviderReference, context: ProviderCallContext): Promise<void> {
      if (options.deleteAfterResults !== true) return;
      try {
        await client.messages.batches.delete(batchId(reference), undefined, { signal: context.signal ?? null });
      } catch (error) {
        // Already deleted (a second cleanup after a crash): nothing left to do.
        if ((error as { status?: unknown }).status !== 404) throw error;
      }
    },
  };
}

function safeLine(request: BatchRequest, toLine: (request: BatchRequest, model?: string) => unknown): unknown {
  // measure() runs during planning, before the model default may be known; size with a placeholder.
  return request.model === undefined ? toLine(request, 'model-placeholder') : toLine(request);
}

function batchId(reference: ProviderReference): string {
  const id = reference['id'];
  if (typeof id !== 'string' || id === '') throw new TypeError('anthropicBatch: the part reference has no batch id');
  return id;
}

function toReference(batch: AnthropicMessageBatch): AnthropicBatchReference {
  const reference = mapAnthropicBatchStatus(batch).reference as AnthropicBatchReference;
  return { ...reference, id: batch.id };
}

async function* readResults(client: Anthropic, id: string, context: ProviderCallContext, includeRaw = false): AsyncGenerator<BatchResult> {
  const signal = context.signal ?? null;
  const batch = await client.messages.batches.retrieve(id, undefined, { signal });
  if (!batch.results_url) {
    throw new Error(`anthropicBatch: batch ${id} has no results yet (processing_status: ${batch.processing_status})`);
  }
  // Our own decoder instead of the SDK's: a malformed line must cost one item, not the rest of the file.
  const response = await client
    .get(batch.results_url, { headers: { Accept: 'application/binary' }, __binaryResponse: true, signal })
    .asResponse();
  if (response.body === null) throw new Error(`anthropicBatch: the results of batch ${id} came back without a body`);

  let malformed = 0;
  const unreadable: string[] = [];
  const lines = decodeJsonl(response.body as ReadableStream<Uint8Array>, {
    onMalformed: () => {
      malformed += 1;
    },
    signal: context.signal,
  });
  for await (const line of lines) {
    const result = parseAnthropicResultLine(line.value);
    if (isUnreadableResultLine(result)) {
      unreadable.push(result.unreadable);
      continue;
    }
    yield includeRaw ? withRaw(result, line.value) : result;
  }
  if (malformed > 0) {
    context.warn(`anthropic: ${malformed} result line(s) of batch ${id} were not valid JSON; their requests are reported as missing`);
  }
  if (unreadable.length > 0) {
    context.warn(`anthropic: ${unreadable.length} result line(s) of batch ${id} could not be read (first: ${unreadable[0]})`);
  }
}

async function findBatch(
  client: Anthropic,
  part: SubmitPart,
  context: SubmitContext,
  windowMs: number,
): Promise<AnthropicBatchReference | undefined> {
  const submittingAt = typeof context.previous?.['submittingAt'] === 'string' ? Date.parse(context.previous['submittingAt']) : NaN;
  const known = Number.isFinite(submittingAt);
  const earliest = known ? submittingAt - windowMs : Date.now() - findLookbackMs;
  const latest = known ? submittingAt + windowMs : Number.POSITIVE_INFINITY;

  const candidates: AnthropicMessageBatch[] = [];
  // The list is most recent first, so the walk stops at the first batch older than the window.
  for await (const batch of client.messages.batches.list({ limit: searchPageSize }, { signal: context.signal ?? null })) {
    const createdAt = Date.parse(batch.created_at);
    if (createdAt < earliest) break;
    if (createdAt > latest) continue;
    if (totalRequests(batch) === part.requestCount) candidates.push(batch);
  }
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return toReference(candidates[0] as AnthropicMessageBatch);

  const verified = await keepBatchesOfPart(client, part, candidates, context);
  const pool = verified.length > 0 ? verified : candidates;
  // Among equals, the first batch created at or after the recorded submit time is the likeliest.
  const ordered = [...pool].sort((left, right) => Date.parse(left.created_at) - Date.parse(right.created_at));
  const chosen = (known ? ordered.find((batch) => Date.parse(batch.created_at) >= submittingAt) : undefined) ?? ordered[0];
  if (chosen === undefined) return undefined;
  if (pool.length > 1) {
    context.warn(
      `anthropic: ${pool.length} batches (${pool.map((batch) => batch.id).join(', ')}) could belong to part ${part.index + 1}; attached to ${chosen.id}`,
    );
  }
  return toReference(chosen);
}

/** Keeps the ended batches whose first result line names a request of this part. */
async function keepBatchesOfPart(
  client: Anthropic,
  part: SubmitPart,
  candidates: readonly AnthropicMessageBatch[],
  context: SubmitContext,
): Promise<AnthropicMessageBatch[]> {
  if (!candidates.some((batch) => batch.results_url)) return [];
  const ids = new Set<string>();
  for await (const request of part.requests()) ids.add(request.id);
  const kept: AnthropicMessageBatch[] = [];
  for (const batch of candidates) {
    if (!batch.results_url) continue;
    const quiet: ProviderCallContext = { ...(context.signal ? { signal: context.signal } : {}), warn: () => {} };
    for await (const result of readResults(client, batch.id, quiet)) {
      if (ids.has(result.id)) kept.push(batch);
      break;
    }
  }
  return kept;
}

function totalRequests(batch: AnthropicMessageBatch): number {
  const counts = batch.request_counts;
  return counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired;
}
