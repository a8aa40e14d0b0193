/**
 * Anthropic Message Batches: create / retrieve / list / cancel / delete and the results JSONL, with
 * the lifecycle driven by the batch clock. Counters other than `processing` stay 0 until the batch
 * ends, as on the real API.
 */
import { finishedCount, processingDuration, rfc3339 } from './batch-clock.js';
import { anthropicErrorBody, MockHttpError } from './errors.js';
import { executeAnthropicMessage } from './anthropic-messages.js';
import { streamLines } from './http-utilities.js';
import type { EmulatorState, RouteContext, RouteResult } from './route-context.js';
import { shuffleInPlace } from './random.js';

const customIdPattern = /^[a-zA-Z0-9_-]{1,64}$/;

interface ItemOutcome {
  readonly customId: string;
  readonly type: 'succeeded' | 'errored';
  /** The serialised `result` object. */
  readonly resultJson: string;
}

export interface AnthropicBatchRecord {
  readonly id: string;
  readonly createdAtMs: number;
  readonly total: number;
  readonly customIds: string[];
  readonly forcedExpiryMs: number | undefined;
  outcomes: ItemOutcome[] | undefined;
  outcomesReady: Promise<void>;
  cancelRequestedAtMs: number | undefined;
  status: 'in_progress' | 'canceling' | 'ended';
  endedAtMs: number | undefined;
  counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  /** Result lines, built once when the batch ends. */
  resultLines: string[] | undefined;
}

export class AnthropicBatchStore {
  readonly batches = new Map<string, AnthropicBatchRecord>();
}

async function executeItems(record: AnthropicBatchRecord, requests: { customId: string; params: Record<string, unknown> }[], state: EmulatorState): Promise<void> {
  const outcomes: ItemOutcome[] = [];
  const errorRate = state.batchFaults.itemErrorRate ?? 0;
  const errorStatus = state.batchFaults.itemErrorStatus ?? 500;
  for (let index = 0; index < requests.length; index += 1) {
    const item = requests[index] as { customId: string; params: Record<string, unknown> };
    const requestId = state.createId('req_', 24);
    let status: number;
    let body: Record<string, unknown>;
    if (errorRate > 0 && state.random() < errorRate) {
      status = errorStatus;
      body = anthropicErrorBody(errorStatus, errorStatus >= 500 ? 'Internal server error' : 'Injected item error.', requestId) as unknown as Record<string, unknown>;
    } else {
      const result = await executeAnthropicMessage(item.params, state.execution, requestId, { id: record.id, customId: item.customId });
      status = result.status;
      body = result.body;
    }
    outcomes.push(
      status < 400
        ? { customId: item.customId, type: 'succeeded', resultJson: JSON.stringify({ type: 'succeeded', message: body }) }
        : { customId: item.customId, type: 'errored', resultJson: JSON.stringify({ type: 'errored', error: body }) },
    );
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  record.outcomes = outcomes;
}

function endBatch(record: AnthropicBatchRecord, state: EmulatorState, finished: number, unfinishedType: 'canceled' | 'expired', endedAtMs: number): void {
  const outcomes = record.outcomes ?? [];
  const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  const lines: string[] = [];
  const dropRate = state.batchFaults.dropLineRate ?? 0;
  const unknownRate = state.batchFaults.unknownCustomIdRate ?? 0;
  for (let index = 0; index < outcomes.length; index += 1) {
    const outcome = outcomes[index] as ItemOutcome;
    let resultJson: string;
    if (index < finished) {
      counts[outcome.type] += 1;
      resultJson = outcome.resultJson;
    } else {
      counts[unfinishedType] += 1;
      resultJson = `{"type":"${unfinishedType}"}`;
    }
    if (dropRate > 0 && state.random() < dropRate) continue;
    const customId = unknownRate > 0 && state.random() < unknownRate ? `unknown-${state.createId('', 8)}` : outcome.customId;
    lines.push(`{"custom_id":${JSON.stringify(customId)},"result":${resultJson}}`);
  }
  // Results are not in request order on the real API.
  shuffleInPlace(lines, state.random);
  record.resultLines = lines;
  record.counts = counts;
  record.status = 'ended';
  record.endedAtMs = endedAtMs;
}

/** Brings a batch up to the batch clock. */
export async function refreshAnthropicBatch(record: AnthropicBatchRecord, state: EmulatorState): Promise<void> {
  if (record.status === 'ended') return;
  await record.outcomesReady;
  const now = state.clock.now();
  const options = state.batch;
  const processingEnd = record.createdAtMs + processingDuration(record.total, options.processingMs);
  const deadline = Math.min(record.createdAtMs + options.expireAfterMs, record.forcedExpiryMs ?? Number.POSITIVE_INFINITY);
  const cancelAt = record.cancelRequestedAtMs;
  if (cancelAt !== undefined && cancelAt < Math.min(processingEnd, deadline)) {
    if (now >= cancelAt + options.cancellingMs) {
      endBatch(record, state, finishedCount(cancelAt - record.createdAtMs, record.total, options.processingMs), 'canceled', cancelAt + options.cancellingMs);
    } else record.status = 'canceling';
    return;
  }
  if (deadline < processingEnd && now >= deadline) {
    endBatch(record, state, finishedCount(deadline - record.createdAtMs, record.total, options.processingMs), 'expired', deadline);
    return;
  }
  if (now >= processingEnd) endBatch(record, state, record.total, 'expired', processingEnd);
}

/** The wire `MessageBatch` object. */
export function anthropicBatchObject(record: AnthropicBatchRecord, state: EmulatorState, origin: string): Record<string, unknown> {
  return {
    id: record.id,
    type: 'message_batch',
    processing_status: record.status,
    request_counts: record.counts,
    ended_at: record.endedAtMs === undefined ? null : rfc3339(record.endedAtMs),
    created_at: rfc3339(record.createdAtMs),
    expires_at: rfc3339(record.createdAtMs + state.batch.expireAfterMs),
    archived_at: null,
    cancel_initiated_at: record.cancelRequestedAtMs === undefined ? null : rfc3339(record.cancelRequestedAtMs),
    results_url: record.status === 'ended' ? `${origin}/v1/messages/batches/${record.id}/results` : null,
  };
}

/** `POST /v1/messages/batches` */
export function createAnthropicBatch(context: RouteContext): RouteResult {
  const state = context.state;
  const body = context.json();
  const requests = body.requests;
  if (!Array.isArray(requests)) throw new MockHttpError(400, 'requests: Field required');
  if (requests.length === 0) throw new MockHttpError(400, 'requests: List should have at least 1 item after validation, not 0');
  if (requests.length > state.batch.maxAnthropicRequests) {
    throw new MockHttpError(400, `requests: List should have at most ${state.batch.maxAnthropicRequests} items after validation, not ${requests.length}`);
  }
  const seen = new Set<string>();
  const parsed: { customId: string; params: Record<string, unknown> }[] = [];
  requests.forEach((request: unknown, index) => {
    const record = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
    const customId = record.custom_id;
    if (typeof customId !== 'string') throw new MockHttpError(400, `requests.${index}.custom_id: Field required`);
    if (!customIdPattern.test(customId)) {
      throw new MockHttpError(400, `requests.${index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    }
    if (seen.has(customId)) throw new MockHttpError(400, `Duplicate custom_id '${customId}': each custom_id must be unique within the batch.`);
    seen.add(customId);
    const params = record.params;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new MockHttpError(400, `requests.${index}.params: Field required`);
    const paramsRecord = params as Record<string, unknown>;
    if (paramsRecord.stream === true) throw new MockHttpError(400, `requests.${index}.params.stream: streaming is not supported in message batches`);
    parsed.push({ customId, params: paramsRecord });
  });
  const createdAtMs = state.clock.now();
  const expireFault = context.fault === 'expire' || ((state.batchFaults.expireRate ?? 0) > 0 && state.random() < (state.batchFaults.expireRate ?? 0));
  const record: AnthropicBatchRecord = {
    id: state.createId('msgbatch_', 24),
    createdAtMs,
    total: parsed.length,
    customIds: parsed.map((item) => item.customId),
    forcedExpiryMs: expireFault ? createdAtMs + Math.floor(processingDuration(parsed.length, state.batch.processingMs) / 2) : undefined,
    outcomes: undefined,
    outcomesReady: Promise.resolve(),
    cancelRequestedAtMs: undefined,
    status: 'in_progress',
    endedAtMs: undefined,
    counts: { processing: parsed.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    resultLines: undefined,
  };
  record.outcomesReady = executeItems(record, parsed, state);
  record.outcomesReady.catch(() => undefined);
  state.anthropicBatches.batches.set(record.id, record);
  state.counters.batchesCreated.anthropic += 1;
  return { status: 200, body: anthropicBatchObject(record, state, context.origin) };
}

function requireBatch(context: RouteContext): AnthropicBatchRecord {
  const id = context.params.id ?? '';
  const record = context.state.anthropicBatches.batches.get(id);
  if (record === undefined) throw new MockHttpError(404, `Message batch not found: ${id}`);
  return record;
}

/** `GET /v1/messages/batches/{id}` */
export async function retrieveAnthropicBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshAnthropicBatch(record, context.state);
  return { status: 200, body: anthropicBatchObject(record, context.state, context.origin) };
}

/** `POST /v1/messages/batches/{id}/cancel` */
export async function cancelAnthropicBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshAnthropicBatch(record, context.state);
  if (record.status === 'in_progress') {
    record.cancelRequestedAtMs = context.state.clock.now();
    await refreshAnthropicBatch(record, context.state);
  }
  return { status: 200, body: anthropicBatchObject(record, context.state, context.origin) };
}

/** `DELETE /v1/messages/batches/{id}` — only once processing has ended. */
export async function deleteAnthropicBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshAnthropicBatch(record, context.state);
  if (record.status !== 'ended') {
    throw new MockHttpError(400, `Batch ${record.id} cannot be deleted while it is still processing. Cancel it first.`);
  }
  context.state.anthropicBatches.batches.delete(record.id);
  return { status: 200, body: { id: record.id, type: 'message_batch_deleted' } };
}

/** `GET /v1/messages/batches/{id}/results` — JSONL, streamed. */
export async function anthropicBatchResults(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshAnthropicBatch(record, context.state);
  if (record.status !== 'ended' || record.resultLines === undefined) {
    throw new MockHttpError(400, `Batch ${record.id} is still processing; results are available once processing_status is 'ended'.`);
  }
  const lines = record.resultLines;
  const truncate = context.fault === 'truncated' || context.state.batchFaults.truncateResults === true;
  return { status: 200, contentType: 'application/x-jsonl', stream: (response) => streamLines(response, lines, truncate) };
}

/** `GET /v1/messages/batches` — most recent first; `before_id` / `after_id`; `limit` 1–1000 (default 20). */
export async function listAnthropicBatches(context: RouteContext): Promise<RouteResult> {
  const query = context.url.searchParams;
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new MockHttpError(400, `limit: Input should be between 1 and 1000, got ${query.get('limit') ?? ''}`);
  }
  const records = [...context.state.anthropicBatches.batches.values()].reverse();
  let page: AnthropicBatchRecord[];
  let hasMore: boolean;
  const beforeId = query.get('before_id');
  const afterId = query.get('after_id');
  if (beforeId !== null) {
    const index = records.findIndex((record) => record.id === beforeId);
    const newer = index === -1 ? [] : records.slice(0, index);
    page = newer.slice(Math.max(0, newer.length - limit));
    hasMore = newer.length > limit;
  } else {
    let older = records;
    if (afterId !== null) {
      const index = records.findIndex((record) => record.id === afterId);
      older = index === -1 ? [] : records.slice(index + 1);
    }
    page = older.slice(0, limit);
    hasMore = older.length > limit;
  }
  for (const record of page) await refreshAnthropicBatch(record, context.state);
  return {
    status: 200,
    body: {
      data: page.map((record) => anthropicBatchObject(record, context.state, context.origin)),
      has_more: hasMore,
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
    },
  };
}
