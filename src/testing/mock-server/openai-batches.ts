/**
 * OpenAI Batches: validation of the input file, the lifecycle driven by the batch clock, and the
 * output / error files in the wire line format.
 */
import { finishedCount, processingDuration } from './batch-clock.js';
import { MockHttpError, openAIErrorBody } from './errors.js';
import { executeOpenAIRequest, openAIExecutablePaths } from './openai-sync.js';
import type { EmulatorState, RouteContext, RouteResult } from './route-context.js';
import { shuffleInPlace } from './random.js';

const batchEndpoints = new Set([
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
]);
const executable = new Set<string>(openAIExecutablePaths);

export type OpenAIBatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

interface BatchError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

interface ParsedItem {
  readonly customId: string;
  readonly body: Record<string, unknown>;
}

/** One executed item, its wire line kept pre-serialised (compact for 50,000-line batches). */
interface ItemOutcome {
  readonly customId: string;
  readonly succeeded: boolean;
  readonly line: string;
  readonly usage: { input: number; output: number; cached: number; reasoning: number } | undefined;
}

export interface OpenAIBatchRecord {
  readonly id: string;
  readonly endpoint: string;
  readonly inputFileId: string;
  readonly metadata: Record<string, string> | null;
  readonly createdAtMs: number;
  readonly model: string | null;
  readonly total: number;
  readonly validationErrors: BatchError[] | undefined;
  /** When a batch-level `expire` fault cut the window short. */
  readonly forcedExpiryMs: number | undefined;
  outcomes: ItemOutcome[] | undefined;
  outcomesReady: Promise<void>;
  cancelRequestedAtMs: number | undefined;
  status: OpenAIBatchStatus;
  terminal: boolean;
  timestamps: Partial<Record<'in_progress_at' | 'finalizing_at' | 'completed_at' | 'failed_at' | 'expired_at' | 'cancelling_at' | 'cancelled_at', number>>;
  counts: { total: number; completed: number; failed: number };
  outputFileId: string | null;
  errorFileId: string | null;
}

/** Holds the batches in creation order. */
export class OpenAIBatchStore {
  readonly batches = new Map<string, OpenAIBatchRecord>();
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

function validateMetadata(metadata: unknown): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new MockHttpError(400, "Invalid type for 'metadata': expected an object.", { param: 'metadata', code: 'invalid_type' });
  }
  const entries = Object.entries(metadata as Record<string, unknown>);
  if (entries.length > 16) {
    throw new MockHttpError(400, `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${entries.length} properties instead.`, { param: 'metadata', code: 'object_above_max_properties' });
  }
  for (const [key, value] of entries) {
    if (key.length > 64) {
      throw new MockHttpError(400, `Invalid 'metadata': key '${key.slice(0, 20)}…' is too long. Expected a maximum length of 64, but got ${key.length} instead.`, { param: 'metadata', code: 'string_above_max_length' });
    }
    if (typeof value !== 'string') {
      throw new MockHttpError(400, `Invalid type for 'metadata.${key}': expected a string, but got ${typeof value} instead.`, { param: `metadata.${key}`, code: 'invalid_type' });
    }
    if (value.length > 512) {
      throw new MockHttpError(400, `Invalid 'metadata.${key}': string too long. Expected a string with maximum length 512, but got a string with length ${value.length} instead.`, { param: `metadata.${key}`, code: 'string_above_max_length' });
    }
  }
  return metadata as Record<string, string>;
}

/** Validates the input file the way the batch service does during `validating`. */
function validateInput(content: Buffer, endpoint: string, state: EmulatorState): { items: ParsedItem[]; errors: BatchError[]; model: string | null } {
  const errors: BatchError[] = [];
  const items: ParsedItem[] = [];
  if (content.length > state.batch.maxInputFileBytes) {
    errors.push({ code: 'file_too_large', message: `The input file is ${content.length} bytes; the maximum is ${state.batch.maxInputFileBytes} bytes.`, param: 'input_file_id', line: null });
    return { items, errors, model: null };
  }
  const lines = content.toString('utf8').split('\n');
  const numbered: { text: string; line: number }[] = [];
  lines.forEach((text, index) => {
    if (text.trim() !== '') numbered.push({ text, line: index + 1 });
  });
  if (numbered.length === 0) {
    errors.push({ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null });
    return { items, errors, model: null };
  }
  if (numbered.length > state.batch.maxOpenAIRequests) {
    errors.push({ code: 'too_many_tasks', message: `The batch input file contains ${numbered.length} requests; the maximum is ${state.batch.maxOpenAIRequests}.`, param: null, line: null });
    return { items, errors, model: null };
  }
  const seen = new Set<string>();
  const models = new Set<string>();
  for (const { text, line } of numbered) {
    if (errors.length >= 1000) break;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line });
      continue;
    }
    const record = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    if (record === undefined || typeof record.custom_id !== 'string' || typeof record.body !== 'object' || record.body === null || Array.isArray(record.body)) {
      errors.push({ code: 'invalid_request', message: 'Each line must be an object with custom_id, method, url and body.', param: null, line });
      continue;
    }
    if (record.method !== 'POST') {
      errors.push({ code: 'invalid_method', message: `Invalid method ${String(record.method)}; only POST is supported.`, param: 'method', line });
      continue;
    }
    if (record.url !== endpoint) {
      errors.push({ code: 'url_mismatch', message: `The url '${String(record.url)}' does not match the batch endpoint '${endpoint}'.`, param: 'url', line });
      continue;
    }
    if (seen.has(record.custom_id)) {
      errors.push({ code: 'duplicate_custom_id', message: `The custom_id '${record.custom_id}' is used more than once.`, param: 'custom_id', line });
      continue;
    }
    seen.add(record.custom_id);
    const body = record.body as Record<string, unknown>;
    if (typeof body.model === 'string') {
      models.add(body.model);
      if (models.size > 1) {
        errors.push({ code: 'model_mismatch', message: 'Each input file can only include requests to a single model.', param: 'body.model', line });
        continue;
      }
    }
    items.push({ customId: record.custom_id, body });
  }
  return { items, errors, model: [...models][0] ?? null };
}

/** Runs every item through the same executor as the sync endpoints, yielding to the event loop now and then. */
async function executeItems(record: OpenAIBatchRecord, items: ParsedItem[], state: EmulatorState): Promise<void> {
  const outcomes: ItemOutcome[] = [];
  const errorRate = state.batchFaults.itemErrorRate ?? 0;
  const errorStatus = state.batchFaults.itemErrorStatus ?? 500;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index] as ParsedItem;
    const requestId = state.createId('req_', 32);
    let status: number;
    let body: Record<string, unknown>;
    let usage: ItemOutcome['usage'];
    if (errorRate > 0 && state.random() < errorRate) {
      status = errorStatus;
      body = openAIErrorBody(errorStatus, errorStatus >= 500 ? 'The server had an error while processing your request. Sorry about that!' : 'Injected item error.') as unknown as Record<string, unknown>;
    } else {
      const result = await executeOpenAIRequest(record.endpoint, item.body, state.execution, { id: record.id, customId: item.customId });
      status = result.status;
      body = result.body;
      usage = result.usage;
    }
    const line = JSON.stringify({ id: state.createId('batch_req_', 32), custom_id: item.customId, response: { status_code: status, request_id: requestId, body }, error: null });
    outcomes.push({ customId: item.customId, succeeded: status < 400, line, usage });
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  record.outcomes = outcomes;
}

/** Writes the output and error files of a batch that reached a terminal state with results. */
function writeResultFiles(record: OpenAIBatchRecord, state: EmulatorState, finished: number, expired: boolean, atMs: number): void {
  const outcomes = record.outcomes ?? [];
  const outputLines: string[] = [];
  const errorLines: string[] = [];
  const dropRate = state.batchFaults.dropLineRate ?? 0;
  const unknownRate = state.batchFaults.unknownCustomIdRate ?? 0;
  for (let index = 0; index < finished; index += 1) {
    const outcome = outcomes[index] as ItemOutcome;
    if (dropRate > 0 && state.random() < dropRate) continue;
    let line = outcome.line;
    if (unknownRate > 0 && state.random() < unknownRate) {
      line = line.replace(JSON.stringify(outcome.customId), JSON.stringify(`unknown-${state.createId('', 8)}`));
    }
    (outcome.succeeded ? outputLines : errorLines).push(line);
  }
  if (expired) {
    for (let index = finished; index < outcomes.length; index += 1) {
      const outcome = outcomes[index] as ItemOutcome;
      errorLines.push(
        JSON.stringify({
          id: state.createId('batch_req_', 32),
          custom_id: outcome.customId,
          response: null,
          error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
        }),
      );
    }
  }
  // Result files do not keep input order; a seeded shuffle makes that visible to clients.
  shuffleInPlace(outputLines, state.random);
  shuffleInPlace(errorLines, state.random);
  const createdAt = seconds(atMs);
  if (outputLines.length > 0) {
    record.outputFileId = state.files.addLines(state.createId('file-', 22), `batch_${record.id}_output.jsonl`, 'batch_output', outputLines, createdAt).id;
  }
  if (errorLines.length > 0) {
    record.errorFileId = state.files.addLines(state.createId('file-', 22), `batch_${record.id}_error.jsonl`, 'batch_output', errorLines, createdAt).id;
  }
}

function countFinished(record: OpenAIBatchRecord, finished: number, expiredRest: boolean): void {
  let completed = 0;
  let failed = 0;
  const outcomes = record.outcomes ?? [];
  for (let index = 0; index < finished; index += 1) {
    if (outcomes[index]?.succeeded === true) completed += 1;
    else failed += 1;
  }
  if (expiredRest) failed += record.total - finished;
  record.counts = { total: record.total, completed, failed };
}

/** Brings a batch up to the batch clock. */
export async function refreshOpenAIBatch(record: OpenAIBatchRecord, state: EmulatorState): Promise<void> {
  if (record.terminal) return;
  const now = state.clock.now();
  const options = state.batch;
  const validatedAt = record.createdAtMs + options.validatingMs;
  const cancelAt = record.cancelRequestedAtMs;

  if (cancelAt !== undefined && cancelAt < validatedAt) {
    // Cancelled while validating: nothing ran.
    record.timestamps.cancelling_at = seconds(cancelAt);
    if (now >= cancelAt + options.cancellingMs) {
      record.status = 'cancelled';
      record.timestamps.cancelled_at = seconds(cancelAt + options.cancellingMs);
      record.terminal = true;
    } else record.status = 'cancelling';
    return;
  }
  if (now < validatedAt) {
    record.status = 'validating';
    return;
  }
  if (record.validationErrors !== undefined) {
    record.status = 'failed';
    record.timestamps.failed_at = seconds(validatedAt);
    record.terminal = true;
    return;
  }
  await record.outcomesReady;
  record.timestamps.in_progress_at = seconds(validatedAt);
  const processingEnd = validatedAt + processingDuration(record.total, options.processingMs);
  const deadline = Math.min(record.createdAtMs + options.expireAfterMs, record.forcedExpiryMs ?? Number.POSITIVE_INFINITY);

  if (cancelAt !== undefined && cancelAt < Math.min(processingEnd, deadline)) {
    const finished = finishedCount(cancelAt - validatedAt, record.total, options.processingMs);
    countFinished(record, finished, false);
    record.timestamps.cancelling_at = seconds(cancelAt);
    if (now >= cancelAt + options.cancellingMs) {
      record.status = 'cancelled';
      record.timestamps.cancelled_at = seconds(cancelAt + options.cancellingMs);
      record.terminal = true;
      writeResultFiles(record, state, finished, false, cancelAt + options.cancellingMs);
    } else record.status = 'cancelling';
    return;
  }
  if (deadline < processingEnd && now >= deadline) {
    const finished = finishedCount(deadline - validatedAt, record.total, options.processingMs);
    countFinished(record, finished, true);
    record.status = 'expired';
    record.timestamps.expired_at = seconds(deadline);
    record.terminal = true;
    writeResultFiles(record, state, finished, true, deadline);
    return;
  }
  if (now < processingEnd) {
    record.status = 'in_progress';
    countFinished(record, finishedCount(now - validatedAt, record.total, options.processingMs), false);
    return;
  }
  countFinished(record, record.total, false);
  record.timestamps.finalizing_at = seconds(processingEnd);
  if (now < processingEnd + options.finalizingMs) {
    record.status = 'finalizing';
    return;
  }
  record.status = 'completed';
  record.timestamps.completed_at = seconds(processingEnd + options.finalizingMs);
  record.terminal = true;
  writeResultFiles(record, state, record.total, false, processingEnd);
}

/** The wire `Batch` object. */
export function openAIBatchObject(record: OpenAIBatchRecord, state: EmulatorState): Record<string, unknown> {
  const usage = { input: 0, output: 0, cached: 0, reasoning: 0 };
  if (record.outcomes !== undefined) {
    const finished = record.counts.completed + record.counts.failed;
    for (let index = 0; index < Math.min(finished, record.outcomes.length); index += 1) {
      const itemUsage = record.outcomes[index]?.usage;
      if (itemUsage === undefined) continue;
      usage.input += itemUsage.input;
      usage.output += itemUsage.output;
      usage.cached += itemUsage.cached;
      usage.reasoning += itemUsage.reasoning;
    }
  }
  const timestamps = record.timestamps;
  return {
    id: record.id,
    object: 'batch',
    endpoint: record.endpoint,
    model: record.model,
    errors: record.validationErrors === undefined ? null : { object: 'list', data: record.validationErrors },
    input_file_id: record.inputFileId,
    completion_window: '24h',
    status: record.status,
    output_file_id: record.outputFileId,
    error_file_id: record.errorFileId ?? (record.terminal && state.batch.emptyStringErrorFileId ? '' : null),
    created_at: seconds(record.createdAtMs),
    in_progress_at: timestamps.in_progress_at ?? null,
    expires_at: seconds(record.createdAtMs + state.batch.expireAfterMs),
    finalizing_at: timestamps.finalizing_at ?? null,
    completed_at: timestamps.completed_at ?? null,
    failed_at: timestamps.failed_at ?? null,
    expired_at: timestamps.expired_at ?? null,
    cancelling_at: timestamps.cancelling_at ?? null,
    cancelled_at: timestamps.cancelled_at ?? null,
    request_counts: record.counts,
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cached },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: usage.reasoning },
      total_tokens: usage.input + usage.output,
    },
    metadata: record.metadata,
  };
}

/** `POST /v1/batches` */
export function createOpenAIBatch(context: RouteContext): RouteResult {
  const state = context.state;
  const body = context.json();
  if (typeof body.input_file_id !== 'string' || body.input_file_id === '') {
    throw new MockHttpError(400, "Missing required parameter: 'input_file_id'.", { param: 'input_file_id', code: 'missing_required_parameter' });
  }
  if (typeof body.endpoint !== 'string') throw new MockHttpError(400, "Missing required parameter: 'endpoint'.", { param: 'endpoint', code: 'missing_required_parameter' });
  if (!batchEndpoints.has(body.endpoint)) {
    throw new MockHttpError(400, `Invalid value: '${body.endpoint}'. Supported values are: ${[...batchEndpoints].map((value) => `'${value}'`).join(', ')}.`, { param: 'endpoint', code: 'invalid_value' });
  }
  if (!executable.has(body.endpoint)) {
    throw new MockHttpError(400, `The emulator does not run batches for '${body.endpoint}'; use ${openAIExecutablePaths.join(', ')}.`, { param: 'endpoint', code: 'invalid_value' });
  }
  if (body.completion_window === undefined) throw new MockHttpError(400, "Missing required parameter: 'completion_window'.", { param: 'completion_window', code: 'missing_required_parameter' });
  if (body.completion_window !== '24h') {
    throw new MockHttpError(400, `Invalid value: '${String(body.completion_window)}'. Supported values are: '24h'.`, { param: 'completion_window', code: 'invalid_value' });
  }
  const metadata = validateMetadata(body.metadata);
  const file = state.files.get(body.input_file_id);
  if (file === undefined) throw new MockHttpError(404, `No such File object: ${body.input_file_id}`, { param: 'input_file_id' });
  if (file.meta.purpose !== 'batch') {
    throw new MockHttpError(400, `File ${body.input_file_id} has purpose '${file.meta.purpose}'; batch input files need purpose 'batch'.`, { param: 'input_file_id', code: 'invalid_value' });
  }
  const content = Buffer.isBuffer(file.content) ? file.content : Buffer.from(`${(file.content as readonly string[]).join('\n')}\n`);
  const validation = validateInput(content, body.endpoint, state);
  const forceValidationFailure = context.fault === 'fail-validation' || ((state.batchFaults.failValidationRate ?? 0) > 0 && state.random() < (state.batchFaults.failValidationRate ?? 0));
  if (forceValidationFailure && validation.errors.length === 0) {
    validation.errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: 1 });
  }
  const createdAtMs = state.clock.now();
  const total = validation.errors.length > 0 ? 0 : validation.items.length;
  const expireFault = context.fault === 'expire' || ((state.batchFaults.expireRate ?? 0) > 0 && state.random() < (state.batchFaults.expireRate ?? 0));
  const record: OpenAIBatchRecord = {
    id: state.createId('batch_', 32),
    endpoint: body.endpoint,
    inputFileId: body.input_file_id,
    metadata,
    createdAtMs,
    model: validation.model,
    total,
    validationErrors: validation.errors.length > 0 ? validation.errors : undefined,
    forcedExpiryMs: expireFault ? createdAtMs + state.batch.validatingMs + Math.floor(processingDuration(total, state.batch.processingMs) / 2) : undefined,
    outcomes: undefined,
    outcomesReady: Promise.resolve(),
    cancelRequestedAtMs: undefined,
    status: 'validating',
    terminal: false,
    timestamps: {},
    counts: { total, completed: 0, failed: 0 },
    outputFileId: null,
    errorFileId: null,
  };
  if (record.validationErrors === undefined) {
    record.outcomesReady = executeItems(record, validation.items, state);
    // A failed execution surfaces on the next read; keep the process from an unhandled rejection meanwhile.
    record.outcomesReady.catch(() => undefined);
  } else {
    record.counts = { total: 0, completed: 0, failed: 0 };
  }
  state.openAIBatches.batches.set(record.id, record);
  state.counters.batchesCreated.openai += 1;
  return { status: 200, body: openAIBatchObject(record, state) };
}

function requireBatch(context: RouteContext): OpenAIBatchRecord {
  const id = context.params.id ?? '';
  const record = context.state.openAIBatches.batches.get(id);
  if (record === undefined) throw new MockHttpError(404, `No batch found with id '${id}'.`, { param: null, code: null });
  return record;
}

/** `GET /v1/batches/{id}` */
export async function retrieveOpenAIBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshOpenAIBatch(record, context.state);
  return { status: 200, body: openAIBatchObject(record, context.state) };
}

/** `POST /v1/batches/{id}/cancel` */
export async function cancelOpenAIBatch(context: RouteContext): Promise<RouteResult> {
  const record = requireBatch(context);
  await refreshOpenAIBatch(record, context.state);
  if (record.status === 'cancelling' || record.status === 'cancelled') return { status: 200, body: openAIBatchObject(record, context.state) };
  if (record.status !== 'validating' && record.status !== 'in_progress') {
    throw new MockHttpError(400, `Cannot cancel a batch with status '${record.status}'.`, { param: null });
  }
  record.cancelRequestedAtMs = context.state.clock.now();
  await refreshOpenAIBatch(record, context.state);
  return { status: 200, body: openAIBatchObject(record, context.state) };
}

/** `GET /v1/batches` — newest first, `after` cursor, `limit` 1–100 (default 20). */
export async function listOpenAIBatches(context: RouteContext): Promise<RouteResult> {
  const query = context.url.searchParams;
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new MockHttpError(400, `Invalid 'limit': ${query.get('limit') ?? ''}. Expected an integer between 1 and 100.`, { param: 'limit', code: 'invalid_value' });
  }
  let records = [...context.state.openAIBatches.batches.values()].reverse();
  const after = query.get('after');
  if (after !== null) {
    const index = records.findIndex((record) => record.id === after);
    records = index === -1 ? [] : records.slice(index + 1);
  }
  const page = records.slice(0, limit);
  for (const record of page) await refreshOpenAIBatch(record, context.state);
  const data = page.map((record) => openAIBatchObject(record, context.state));
  return {
    status: 200,
    body: { object: 'list', data, first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: records.length > limit },
  };
}
