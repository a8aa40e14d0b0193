/**
 * OpenAI Files: an in-memory store plus the `/v1/files` routes. Batch output files are kept as arrays
 * of lines and streamed on download rather than joined into one large string.
 */
import { MockHttpError } from './errors.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import type { RouteContext, RouteResult } from './route-context.js';
import { jsonlByteLength, streamLines } from './http-utilities.js';

const uploadPurposes = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);
const thirtyDays = 30 * 24 * 3600;

/** The wire `OpenAIFile` object. */
export interface OpenAIFileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: string;
  status: 'processed';
}

export interface StoredFile {
  readonly meta: OpenAIFileObject;
  /** Uploaded bytes, or generated JSONL lines (without newlines). */
  readonly content: Buffer | readonly string[];
}

export class FileStore {
  readonly files = new Map<string, StoredFile>();

  add(file: StoredFile): void {
    this.files.set(file.meta.id, file);
  }

  /** Stores generated JSONL lines as a new file. */
  addLines(id: string, filename: string, purpose: string, lines: readonly string[], createdAt: number): OpenAIFileObject {
    const meta: OpenAIFileObject = {
      id,
      object: 'file',
      bytes: jsonlByteLength(lines),
      created_at: createdAt,
      expires_at: createdAt + thirtyDays,
      filename,
      purpose,
      status: 'processed',
    };
    this.add({ meta, content: lines });
    return meta;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  require(id: string): StoredFile {
    const file = this.files.get(id);
    if (file === undefined) throw new MockHttpError(404, `No such File object: ${id}`, { param: 'id' });
    return file;
  }
}

function parseExpiresAfter(fields: Map<string, string>): number | undefined {
  const seconds = fields.get('expires_after[seconds]');
  if (seconds === undefined) return undefined;
  const value = Number(seconds);
  if (!Number.isInteger(value) || value < 3600 || value > 2_592_000) {
    throw new MockHttpError(400, `Invalid 'expires_after.seconds': ${seconds}. Expected a value between 3600 and 2592000.`, { param: 'expires_after.seconds', code: 'invalid_value' });
  }
  return value;
}

/** `POST /v1/files` */
export function uploadFile(context: RouteContext): RouteResult {
  const boundary = multipartBoundary(context.request.headers['content-type']);
  if (boundary === undefined) throw new MockHttpError(400, 'Expected a multipart/form-data request body.', { param: null });
  let parts;
  try {
    parts = parseMultipart(context.body, boundary);
  } catch (error) {
    throw new MockHttpError(400, `Could not parse multipart form: ${(error as Error).message}`);
  }
  const fields = new Map<string, string>();
  let filePart;
  for (const part of parts) {
    if (part.name === 'file' && part.filename !== undefined) filePart = part;
    else fields.set(part.name, part.data.toString('utf8'));
  }
  const purpose = fields.get('purpose');
  if (purpose === undefined || purpose === '') throw new MockHttpError(400, "Missing required parameter: 'purpose'.", { param: 'purpose', code: 'missing_required_parameter' });
  if (!uploadPurposes.has(purpose)) {
    throw new MockHttpError(400, `Invalid value for 'purpose': '${purpose}'.`, { param: 'purpose', code: 'invalid_value' });
  }
  if (filePart === undefined) throw new MockHttpError(400, "Missing required parameter: 'file'.", { param: 'file', code: 'missing_required_parameter' });
  const filename = filePart.filename ?? 'file';
  if (purpose === 'batch' && !filename.toLowerCase().endsWith('.jsonl')) {
    throw new MockHttpError(400, 'Invalid file format for Batch API. Must be .jsonl', { param: 'file', code: 'invalid_file_format' });
  }
  const createdAt = Math.floor(context.state.clock.now() / 1000);
  const expiresAfter = parseExpiresAfter(fields) ?? (purpose === 'batch' ? thirtyDays : undefined);
  const meta: OpenAIFileObject = {
    id: context.state.createId('file-', 22),
    object: 'file',
    bytes: filePart.data.length,
    created_at: createdAt,
    expires_at: expiresAfter === undefined ? null : createdAt + expiresAfter,
    filename,
    purpose,
    status: 'processed',
  };
  // Copy out of the request buffer so the rest of the multipart body can be collected.
  context.state.files.add({ meta, content: Buffer.from(filePart.data) });
  context.state.counters.filesUploaded += 1;
  return { status: 200, body: meta };
}

/** `GET /v1/files/{id}` */
export function retrieveFile(context: RouteContext): RouteResult {
  return { status: 200, body: context.state.files.require(context.params.id ?? '').meta };
}

/** `GET /v1/files/{id}/content` */
export function fileContent(context: RouteContext): RouteResult {
  const file = context.state.files.require(context.params.id ?? '');
  const truncate = context.fault === 'truncated' || (context.state.batchFaults.truncateResults === true && file.meta.purpose === 'batch_output');
  const content = file.content;
  if (Buffer.isBuffer(content)) {
    const data = truncate ? content.subarray(0, Math.floor(content.length / 2)) : content;
    return { status: 200, raw: data, contentType: 'application/octet-stream' };
  }
  return { status: 200, contentType: 'application/octet-stream', stream: (response) => streamLines(response, content as readonly string[], truncate) };
}

/** `DELETE /v1/files/{id}` */
export function deleteFile(context: RouteContext): RouteResult {
  const id = context.params.id ?? '';
  context.state.files.require(id);
  context.state.files.files.delete(id);
  return { status: 200, body: { id, object: 'file', deleted: true } };
}

/** `GET /v1/files` — `purpose`, `limit` (1–10,000), `order` (asc|desc), `after`. */
export function listFiles(context: RouteContext): RouteResult {
  const query = context.url.searchParams;
  const limit = query.has('limit') ? Number(query.get('limit')) : 10_000;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new MockHttpError(400, `Invalid 'limit': ${query.get('limit') ?? ''}. Expected an integer between 1 and 10000.`, { param: 'limit', code: 'invalid_value' });
  }
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new MockHttpError(400, `Invalid 'order': ${order}.`, { param: 'order', code: 'invalid_value' });
  const purpose = query.get('purpose');
  let files = [...context.state.files.files.values()].map((file) => file.meta);
  if (purpose !== null) files = files.filter((file) => file.purpose === purpose);
  if (order === 'desc') files.reverse();
  const after = query.get('after');
  if (after !== null) {
    const index = files.findIndex((file) => file.id === after);
    files = index === -1 ? [] : files.slice(index + 1);
  }
  const data = files.slice(0, limit);
  return {
    status: 200,
    body: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: files.length > limit },
  };
}
