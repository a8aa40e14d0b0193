/**
 * Gemini Batch Mode: `models/{model}:batchGenerateContent` (inline requests or a JSONL file from the
 * Files API), and `batches/{id}` get / list / cancel / delete. A job is an Operation whose `metadata`
 * is the `GenerateContentBatch` (state, stats, output) and whose `response` repeats the output once
 * the job succeeded. The lifecycle follows the batch clock: `BATCH_STATE_PENDING` for
 * `batch.validatingMs`, `BATCH_STATE_RUNNING` while the items finish one after another, then
 * `SUCCEEDED`; a job still unfinished after `batch.geminiExpireAfterMs` (48 h) ends `EXPIRED` with
 * no results at all. Results keep input order. Creating the same job twice creates two jobs.
 */
import { finishedCount, processingDuration, rfc3339 } from './batch-clock.js';
import { MockHttpError } from './errors.js';
import { geminiErrorBody } from './gemini-errors.js';
import { executeGeminiGenerateContent, geminiField, geminiModelName, geminiPromptBlocked } from './gemini-generate.js';
import { addGeneratedGeminiFile, requireGeminiFile } from './gemini-files.js';
import type { GeminiBatchItemOutcome, GeminiBatchRecord, GeminiBatchState } from './gemini-state.js';
import { estimateTokens } from './responder.js';
import type { EmulatorState, RouteContext, RouteResult } from './route-context.js';

type Json = Record<string, unknown>;

const batchType = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';
const outputType = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput';
const terminal: ReadonlySet<GeminiBatchState> = new Set(['BATCH_STATE_SUCCEEDED', 'BATCH_STATE_FAILED', 'BATCH_STATE_CANCELLED', 'BATCH_STATE_EXPIRED']);

interface BatchItem {
  /** The `metadata` of an inline request (echoed in its response), undefined for a file line. */
  readonly metadata: unknown;
  /** The `key` of a file line or the `metadata.key` of an inline request. */
  readonly key: string | undefined;
  readonly request: Json;
}

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Records a job's progress for `batchStats`: how many of the first n items succeeded. */
const successPrefixes = new WeakMap<GeminiBatchRecord, Int32Array>();

function successesBefore(record: GeminiBatchRecord, count: number): number {
  const outcomes = record.outcomes ?? [];
  let prefix = successPrefixes.get(record);
  if (prefix === undefined) {
    prefix = new Int32Array(outcomes.length + 1);
    for (let index = 0; index < outcomes.length; index += 1) prefix[index + 1] = (prefix[index] ?? 0) + ((outcomes[index] as GeminiBatchItemOutcome).ok ? 1 : 0);
    successPrefixes.set(record, prefix);
  }
  return prefix[Math.min(count, outcomes.length)] ?? 0;
}

async function executeItems(record: GeminiBatchRecord, items: readonly BatchItem[], state: EmulatorState): Promise<void> {
  const outcomes: GeminiBatchItemOutcome[] = [];
  const errorRate = state.batchFaults.itemErrorRate ?? 0;
  const errorStatus = state.batchFaults.itemErrorStatus ?? 500;
  const safetyRate = state.batchFaults.safetyBlockRate ?? 0;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as BatchItem;
    let response: Json | undefined;
    let error: Json | undefined;
    if (errorRate > 0 && state.random() < errorRate) {
      error = geminiErrorBody(errorStatus, errorStatus >= 500 ? 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' : 'Injected item error.').error as unknown as Json;
    } else if (safetyRate > 0 && state.random() < safetyRate) {
      response = geminiPromptBlocked(record.model, estimateTokens(JSON.stringify(item.request.contents ?? '')), state.createId('', 22));
    } else {
      const result = await executeGeminiGenerateContent(record.model, item.request, state, { batch: { id: `batches/${record.id}`, customId: item.key ?? String(index) } });
      if (result.status < 400) response = result.body;
      else error = (asRecord(result.body.error) ?? result.body);
    }
    const outcomeJson = response === undefined ? `"error":${JSON.stringify(error)}` : `"response":${JSON.stringify(response)}`;
    const keyJson = item.key === undefined ? '' : `"key":${JSON.stringify(item.key)},`;
    outcomes.push({
      ok: response !== undefined,
      inlineJson: item.metadata === undefined ? `{${outcomeJson}}` : `{${outcomeJson},"metadata":${JSON.stringify(item.metadata)}}`,
      lineJson: `{${keyJson}${outcomeJson}}`,
    });
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  record.outcomes = outcomes;
}

function finish(record: GeminiBatchRecord, state: EmulatorState, endState: GeminiBatchState, endedAtMs: number): void {
  record.state = endState;
  record.endedAtMs = endedAtMs;
  record.updatedAtMs = endedAtMs;
  if (endState !== 'BATCH_STATE_SUCCEEDED') {
    // Cancelled, expired and failed jobs carry no results.
    record.counts = { succeeded: 0, failed: 0, pending: 0 };
    if (endState === 'BATCH_STATE_EXPIRED' || endState === 'BATCH_STATE_CANCELLED') {
      const finished = finishedCount(endedAtMs - record.createdAtMs - state.batch.validatingMs, record.total, state.batch.processingMs);
      const succeeded = successesBefore(record, finished);
      record.counts = { succeeded, failed: finished - succeeded, pending: record.total - finished };
    }
    return;
  }
  const outcomes = record.outcomes ?? [];
  const succeeded = successesBefore(record, outcomes.length);
  record.counts = { succeeded, failed: outcomes.length - succeeded, pending: 0 };
  if ('inline' in record.source) {
    record.inlinedResponsesJson = `{"inlinedResponses":[${outcomes.map((outcome) => outcome.inlineJson).join(',')}]}`;
    return;
  }
  const lines: string[] = [];
  const dropRate = state.batchFaults.dropLineRate ?? 0;
  const unknownRate = state.batchFaults.unknownCustomIdRate ?? 0;
  for (const outcome of outcomes) {
    if (dropRate > 0 && state.random() < dropRate) continue;
    lines.push(unknownRate > 0 && state.random() < unknownRate ? outcome.lineJson.replace(/^\{"key":"(?:[^"\\]|\\.)*"/, `{"key":"unknown-${state.createId('', 8)}"`) : outcome.lineJson);
  }
  const file = addGeneratedGeminiFile(state, `batch-${record.id}`, lines, endedAtMs);
  record.responsesFile = `files/${file.id}`;
}

/** Brings a job up to the batch clock. */
export async function refreshGeminiBatch(record: GeminiBatchRecord, state: EmulatorState): Promise<void> {
  if (terminal.has(record.state)) return;
  await record.outcomesReady;
  const now = state.clock.now();
  const options = state.batch;
  const runningFrom = record.createdAtMs + options.validatingMs;
  const processingEnd = runningFrom + processingDuration(record.total, options.processingMs);
  const deadline = Math.min(record.createdAtMs + options.geminiExpireAfterMs, record.forcedExpiryMs ?? Number.POSITIVE_INFINITY);
  const cancelAt = record.cancelRequestedAtMs;
  const failAt = record.failure === undefined ? Number.POSITIVE_INFINITY : runningFrom;
  if (cancelAt !== undefined && cancelAt < Math.min(processingEnd, deadline, failAt)) {
    if (now >= cancelAt + options.cancellingMs) finish(record, state, 'BATCH_STATE_CANCELLED', cancelAt + options.cancellingMs);
    return;
  }
  if (record.failure !== undefined) {
    if (now >= failAt) finish(record, state, 'BATCH_STATE_FAILED', failAt);
    return;
  }
  if (deadline < processingEnd && now >= deadline) {
    finish(record, state, 'BATCH_STATE_EXPIRED', deadline);
    return;
  }
  if (now >= processingEnd) {
    finish(record, state, 'BATCH_STATE_SUCCEEDED', processingEnd);
    return;
  }
  if (now >= runningFrom) {
    if (record.state !== 'BATCH_STATE_RUNNING') record.updatedAtMs = runningFrom;
    record.state = 'BATCH_STATE_RUNNING';
    const finished = finishedCount(now - runningFrom, record.total, options.processingMs);
    const succeeded = successesBefore(record, finished);
    record.counts = { succeeded, failed: finished - succeeded, pending: record.total - finished };
  }
}

/** The wire Operation of a job, as JSON text (inline outputs are joined once, never re-serialised). */
export function geminiBatchObject(record: GeminiBatchRecord): string {
  const name = `batches/${record.id}`;
  const done = terminal.has(record.state);
  const stats = {
    requestCount: String(record.total),
    successfulRequestCount: String(record.counts.succeeded),
    failedRequestCount: String(record.counts.failed),
    pendingRequestCount: String(record.counts.pending),
  };
  const metadata: Json = {
    '@type': batchType,
    model: record.model,
    ...(record.displayName === '' ? {} : { displayName: record.displayName }),
    ...('fileName' in record.source ? { inputConfig: { fileName: record.source.fileName } } : {}),
    createTime: rfc3339(record.createdAtMs),
    updateTime: rfc3339(record.updatedAtMs),
    ...(record.endedAtMs === undefined ? {} : { endTime: rfc3339(record.endedAtMs) }),
    batchStats: stats,
    state: record.state,
    name,
  };
  let output: string | undefined;
  if (record.state === 'BATCH_STATE_SUCCEEDED') {
    output = record.responsesFile !== undefined ? `{"responsesFile":${JSON.stringify(record.responsesFile)}}` : `{"inlinedResponses":${record.inlinedResponsesJson ?? '{"inlinedResponses":[]}'}}`;
  }
  const metadataJson = JSON.stringify(metadata);
  const metadataWithOutput = output === undefined ? metadataJson : `${metadataJson.slice(0, -1)},"output":${output}}`;
  let text = `{"name":${JSON.stringify(name)},"metadata":${metadataWithOutput},"done":${String(done)}`;
  if (output !== undefined) text += `,"response":{"@type":"${outputType}",${output.slice(1)}`;
  if (record.state === 'BATCH_STATE_FAILED' && record.failure !== undefined) text += `,"error":${JSON.stringify(record.failure)}`;
  return `${text}}`;
}

function parseFileLines(content: Buffer | readonly string[], fileName: string): BatchItem[] {
  const lines = Buffer.isBuffer(content) ? content.toString('utf8').split('\n') : content;
  const items: BatchItem[] = [];
  const problems: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1}: not valid JSON`);
      return;
    }
    const record = asRecord(value);
    const request = asRecord(record?.request);
    if (record === undefined || request === undefined) {
      problems.push(`line ${index + 1}: "request" must be a GenerateContentRequest object`);
      return;
    }
    items.push({ metadata: undefined, key: typeof record.key === 'string' ? record.key : undefined, request });
  });
  if (problems.length > 0) {
    throw new MockHttpError(400, `Invalid batch input file ${fileName}: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`);
  }
  if (items.length === 0) throw new MockHttpError(400, `Invalid batch input file ${fileName}: it contains no requests.`);
  return items;
}

function parseInlineRequests(requests: unknown): BatchItem[] {
  const list = asRecord(requests)?.requests;
  if (!Array.isArray(list) || list.length === 0) {
    throw new MockHttpError(400, '* BatchGenerateContentRequest.batch.input_config.requests.requests: at least one request is required\n');
  }
  const problems: string[] = [];
  const items: BatchItem[] = [];
  list.forEach((entry, index) => {
    const record = asRecord(entry);
    const request = asRecord(record?.request);
    if (request === undefined) {
      problems.push(`* BatchGenerateContentRequest.batch.input_config.requests.requests[${index}].request: request is required\n`);
      return;
    }
    const metadata = record?.metadata;
    const key = asRecord(metadata)?.key;
    items.push({ metadata, key: typeof key === 'string' ? key : undefined, request });
  });
  if (problems.length > 0) throw new MockHttpError(400, problems.join(''));
  return items;
}

/** `POST /v1beta/models/{model}:batchGenerateContent` */
export function createGeminiBatch(context: RouteContext): RouteResult {
  const state = context.state;
  const body = context.json();
  const batch = asRecord(body.batch);
  if (batch === undefined) throw new MockHttpError(400, '* BatchGenerateContentRequest.batch: batch is required\n');
  const inputConfig = asRecord(geminiField(batch, 'inputConfig'));
  const requests = inputConfig?.requests;
  const fileName = geminiField(inputConfig, 'fileName');
  if (inputConfig === undefined || (requests === undefined) === (fileName === undefined)) {
    throw new MockHttpError(400, '* BatchGenerateContentRequest.batch.input_config: exactly one of requests or file_name must be set\n');
  }
  let items: BatchItem[];
  let source: GeminiBatchRecord['source'];
  if (fileName !== undefined) {
    if (typeof fileName !== 'string' || !fileName.startsWith('files/')) throw new MockHttpError(400, `* BatchGenerateContentRequest.batch.input_config.file_name: must look like files/{id}, got ${JSON.stringify(fileName)}\n`);
    const file = requireGeminiFile(state, fileName.slice('files/'.length));
    items = parseFileLines(file.content, fileName);
    source = { fileName };
  } else {
    items = parseInlineRequests(requests);
    source = { inline: true };
  }
  const displayName = geminiField(batch, 'displayName');
  const createdAtMs = state.clock.now();
  const processing = processingDuration(items.length, state.batch.processingMs);
  const batchFaults = state.batchFaults;
  const expire = context.fault === 'expire' || ((batchFaults.expireRate ?? 0) > 0 && state.random() < (batchFaults.expireRate ?? 0));
  const fail = context.fault === 'fail-validation' || ((batchFaults.failValidationRate ?? 0) > 0 && state.random() < (batchFaults.failValidationRate ?? 0));
  const record: GeminiBatchRecord = {
    id: state.createId('', 24).toLowerCase(),
    model: geminiModelName(context.params.id ?? ''),
    displayName: typeof displayName === 'string' ? displayName : '',
    createdAtMs,
    total: items.length,
    source,
    forcedExpiryMs: expire ? createdAtMs + state.batch.validatingMs + Math.floor(processing / 2) : undefined,
    failure: fail ? { code: 400, message: 'The batch input failed validation: the requests could not be processed.' } : undefined,
    outcomes: undefined,
    outcomesReady: Promise.resolve(),
    cancelRequestedAtMs: undefined,
    state: 'BATCH_STATE_PENDING',
    endedAtMs: undefined,
    updatedAtMs: createdAtMs,
    counts: { succeeded: 0, failed: 0, pending: items.length },
    responsesFile: undefined,
    inlinedResponsesJson: undefined,
  };
  record.outcomesReady = executeItems(record, items, state);
  record.outcomesReady.catch(() => undefined);
  state.gemini.batches.set(record.id, record);
  state.counters.batchesCreated.gemini += 1;
  return { status: 200, raw: geminiBatchObject(record), contentType: 'application/json; charset=UTF-8' };
}

function requireBatch(context: RouteContext): GeminiBatchRecord {
  const id = context.params.id ?? '';
  const record = context.state.gemini.batches.get(id);
  if (record === undefined) throw new MockHttpError(404, `Requested entity was not found: batches/${id}`);
  return record;
}

/** `GET /v1beta/batches/{id}` */
export async function getGeminiBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshGeminiBatch(record, context.state);
  return { status: 200, raw: geminiBatchObject(record), contentType: 'application/json; charset=UTF-8' };
}

/** `POST /v1beta/batches/{id}:cancel` — answers `{}`; a job already ended stays as it is. */
export async function cancelGeminiBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshGeminiBatch(record, context.state);
  if (!terminal.has(record.state) && record.cancelRequestedAtMs === undefined) {
    record.cancelRequestedAtMs = context.state.clock.now();
    await refreshGeminiBatch(record, context.state);
  }
  return { status: 200, body: {} };
}

/** `DELETE /v1beta/batches/{id}` — answers `{}`; the job is gone (a running one stops). */
export function deleteGeminiBatch(context: RouteContext): RouteResult {
  const record = requireBatch(context);
  context.state.gemini.batches.delete(record.id);
  return { status: 200, body: {} };
}

/** `GET /v1beta/batches` — newest first; `pageSize` (default 50, at most 1000) and `pageToken`. */
export async function listGeminiBatches(context: RouteContext): Promise<RouteResult> {
  const query = context.url.searchParams;
  const pageSize = query.has('pageSize') ? Number(query.get('pageSize')) : 50;
  if (!Number.isInteger(pageSize) || pageSize < 0) throw new MockHttpError(400, `Invalid value for pageSize: ${query.get('pageSize') ?? ''}`);
  const size = pageSize === 0 ? 50 : Math.min(pageSize, 1000);
  const token = query.get('pageToken');
  const offset = token === null || token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new MockHttpError(400, 'Invalid page token.');
  const records = [...context.state.gemini.batches.values()].reverse();
  const page = records.slice(offset, offset + size);
  for (const record of page) await refreshGeminiBatch(record, context.state);
  const next = offset + size < records.length ? `,"nextPageToken":"${Buffer.from(String(offset + size)).toString('base64url')}"` : '';
  return { status: 200, raw: `{"operations":[${page.map((record) => geminiBatchObject(record)).join(',')}]${next}}`, contentType: 'application/json; charset=UTF-8' };
}
