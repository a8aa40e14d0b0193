/**
 * OpenAI Batches: the routes (create, retrieve, cancel, list). The input checks, the item runs, the
 * lifecycle and the wire object each live in their own module.
 */
import { processingDuration } from './batch-clock.js';
import { MockHttpError } from './errors.js';
import { executeOpenAIBatchItems } from './execute-openai-batch-items.js';
import { openAIBatchObject } from './openai-batch-object.js';
import type { OpenAIBatchRecord } from './openai-batch-record.js';
import { openAIExecutablePaths } from './openai-sync.js';
import { refreshOpenAIBatch } from './refresh-openai-batch.js';
import type { RouteContext, RouteResult } from './route-context.js';
import { validateOpenAIBatchInput } from './validate-openai-batch-input.js';

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
  const validation = validateOpenAIBatchInput(content, body.endpoint, state);
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
    record.outcomesReady = executeOpenAIBatchItems(record, validation.items, state);
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
