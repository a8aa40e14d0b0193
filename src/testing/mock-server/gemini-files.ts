/**
 * The Gemini Files API as `@google/genai` drives it: a resumable upload (`POST /upload/v1beta/files`
 * with `X-Goog-Upload-Protocol: resumable` and `X-Goog-Upload-Command: start` answers the upload URL
 * in `X-Goog-Upload-URL`; the bytes follow in chunks with `upload` and a last `upload, finalize`),
 * `files/{id}` get / list / delete, and the download (`GET /v1beta/files/{id}:download?alt=media`,
 * also under `/download/v1beta/...`), streamed. Batch responses files are generated here too.
 */
import { createHash } from 'node:crypto';
import { rfc3339 } from './batch-clock.js';
import { MockHttpError } from './errors.js';
import { jsonlByteLength, streamLines } from './http-utilities.js';
import type { GeminiFileRecord } from './gemini-state.js';
import type { EmulatorState, RouteContext, RouteResult } from './route-context.js';

/** Files are deleted 48 hours after upload. */
const fileLifetimeMs = 48 * 3600 * 1000;
const idPattern = /^[a-z0-9-]{1,40}$/;

function header(context: RouteContext, name: string): string | undefined {
  const value = context.request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sha256(content: Buffer | readonly string[]): string {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(content)) hash.update(content);
  else for (const line of content) hash.update(`${line}\n`);
  return hash.digest('base64');
}

/** The wire `File` object. */
export function geminiFileObject(file: GeminiFileRecord, origin: string): Record<string, unknown> {
  return {
    name: `files/${file.id}`,
    ...(file.displayName === undefined ? {} : { displayName: file.displayName }),
    mimeType: file.mimeType,
    sizeBytes: String(file.sizeBytes),
    createTime: rfc3339(file.createdAtMs),
    updateTime: rfc3339(file.createdAtMs),
    expirationTime: rfc3339(file.expiresAtMs),
    sha256Hash: file.sha256Hash,
    uri: `${origin}/v1beta/files/${file.id}`,
    ...(file.source === 'GENERATED' ? { downloadUri: `${origin}/download/v1beta/files/${file.id}:download?alt=media` } : {}),
    state: 'ACTIVE',
    source: file.source,
  };
}

/** A file, or 403 as Google answers for a file that is not there (or not yours). */
export function requireGeminiFile(state: EmulatorState, id: string): GeminiFileRecord {
  const file = state.gemini.files.get(id);
  if (file === undefined || file.expiresAtMs <= state.clock.now()) {
    if (file !== undefined) state.gemini.files.delete(id);
    throw new MockHttpError(403, `You do not have permission to access the File ${id} or it may not exist.`, { type: 'PERMISSION_DENIED' });
  }
  return file;
}

/** Stores generated JSONL lines (a batch responses file) as a file. */
export function addGeneratedGeminiFile(state: EmulatorState, id: string, lines: readonly string[], createdAtMs: number): GeminiFileRecord {
  const file: GeminiFileRecord = {
    id,
    displayName: undefined,
    mimeType: 'application/jsonl',
    sizeBytes: jsonlByteLength(lines),
    createdAtMs,
    expiresAtMs: createdAtMs + fileLifetimeMs,
    sha256Hash: sha256(lines),
    source: 'GENERATED',
    content: lines,
  };
  state.gemini.files.set(id, file);
  return file;
}

function startUpload(context: RouteContext): RouteResult {
  const state = context.state;
  if (header(context, 'x-goog-upload-protocol') !== 'resumable') throw new MockHttpError(400, 'Only the resumable upload protocol is emulated: send X-Goog-Upload-Protocol: resumable.');
  const body = context.body.length === 0 ? {} : context.json();
  const file = typeof body.file === 'object' && body.file !== null ? (body.file as Record<string, unknown>) : {};
  const declared = header(context, 'x-goog-upload-header-content-length') ?? (typeof file.sizeBytes === 'string' ? file.sizeBytes : undefined);
  const declaredBytes = declared === undefined ? undefined : Number(declared);
  if (declaredBytes !== undefined && (!Number.isInteger(declaredBytes) || declaredBytes < 0)) throw new MockHttpError(400, `Invalid X-Goog-Upload-Header-Content-Length: ${declared ?? ''}`);
  const requestedName = typeof file.name === 'string' ? file.name.replace(/^files\//, '') : undefined;
  if (requestedName !== undefined && !idPattern.test(requestedName)) {
    throw new MockHttpError(400, `* File.name: the id must be 1-40 lowercase letters, digits or dashes, got ${JSON.stringify(requestedName)}\n`);
  }
  if (requestedName !== undefined && state.gemini.files.has(requestedName)) throw new MockHttpError(409, `File files/${requestedName} already exists.`);
  const mimeType = (typeof file.mimeType === 'string' ? file.mimeType : undefined) ?? header(context, 'x-goog-upload-header-content-type') ?? 'application/octet-stream';
  const id = state.createId('', 32);
  state.gemini.uploads.set(id, {
    id,
    displayName: typeof file.displayName === 'string' ? file.displayName : undefined,
    requestedName,
    mimeType,
    declaredBytes,
    chunks: [],
    received: 0,
  });
  return {
    status: 200,
    raw: '',
    contentType: 'text/plain; charset=utf-8',
    headers: {
      'x-goog-upload-url': `${context.origin}/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`,
      'x-goog-upload-status': 'active',
      'x-goog-upload-chunk-granularity': '8388608',
      'x-goog-upload-control-url': `${context.origin}/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`,
    },
  };
}

function continueUpload(context: RouteContext, uploadId: string): RouteResult {
  const state = context.state;
  const upload = state.gemini.uploads.get(uploadId);
  if (upload === undefined) throw new MockHttpError(404, `No upload session ${uploadId}.`, { type: 'NOT_FOUND' });
  const command = (header(context, 'x-goog-upload-command') ?? '').split(',').map((part) => part.trim().toLowerCase());
  if (command.includes('query')) {
    return { status: 200, raw: '', contentType: 'text/plain', headers: { 'x-goog-upload-status': 'active', 'x-goog-upload-size-received': String(upload.received) } };
  }
  if (command.includes('cancel')) {
    state.gemini.uploads.delete(uploadId);
    return { status: 200, raw: '', contentType: 'text/plain', headers: { 'x-goog-upload-status': 'cancelled' } };
  }
  if (!command.includes('upload') && !command.includes('finalize')) throw new MockHttpError(400, `Unknown X-Goog-Upload-Command: ${header(context, 'x-goog-upload-command') ?? ''}`);
  const offset = Number(header(context, 'x-goog-upload-offset') ?? upload.received);
  if (offset !== upload.received) throw new MockHttpError(400, `X-Goog-Upload-Offset ${offset} does not match the ${upload.received} bytes received so far.`);
  if (command.includes('upload') && context.body.length > 0) {
    // Copy out of the request buffer, which belongs to the connection.
    upload.chunks.push(Buffer.from(context.body));
    upload.received += context.body.length;
  }
  if (!command.includes('finalize')) {
    return { status: 200, raw: '', contentType: 'text/plain', headers: { 'x-goog-upload-status': 'active', 'x-goog-upload-size-received': String(upload.received) } };
  }
  state.gemini.uploads.delete(uploadId);
  if (upload.declaredBytes !== undefined && upload.declaredBytes !== upload.received) {
    throw new MockHttpError(400, `Upload of ${upload.received} bytes does not match the declared size of ${upload.declaredBytes} bytes.`);
  }
  const content = upload.chunks.length === 1 ? (upload.chunks[0] as Buffer) : Buffer.concat(upload.chunks);
  const now = state.clock.now();
  const file: GeminiFileRecord = {
    id: upload.requestedName ?? state.createId('', 12).toLowerCase(),
    displayName: upload.displayName,
    mimeType: upload.mimeType,
    sizeBytes: content.length,
    createdAtMs: now,
    expiresAtMs: now + fileLifetimeMs,
    sha256Hash: sha256(content),
    source: 'UPLOADED',
    content,
  };
  state.gemini.files.set(file.id, file);
  state.counters.filesUploaded += 1;
  return { status: 200, body: { file: geminiFileObject(file, context.origin) }, headers: { 'x-goog-upload-status': 'final' } };
}

/** `POST /upload/v1beta/files`: the start of a resumable upload, or a chunk of one (`?upload_id=`). */
export function uploadGeminiFile(context: RouteContext): RouteResult {
  const uploadId = context.url.searchParams.get('upload_id');
  return uploadId === null ? startUpload(context) : continueUpload(context, uploadId);
}

/** `GET /v1beta/files/{id}` */
export function getGeminiFile(context: RouteContext): RouteResult {
  return { status: 200, body: geminiFileObject(requireGeminiFile(context.state, context.params.id ?? ''), context.origin) };
}

/** `DELETE /v1beta/files/{id}` */
export function deleteGeminiFile(context: RouteContext): RouteResult {
  const file = requireGeminiFile(context.state, context.params.id ?? '');
  context.state.gemini.files.delete(file.id);
  return { status: 200, body: {} };
}

/** `GET /v1beta/files` — newest first; `pageSize` (default 10, at most 100) and `pageToken`. */
export function listGeminiFiles(context: RouteContext): RouteResult {
  const query = context.url.searchParams;
  const pageSize = query.has('pageSize') ? Number(query.get('pageSize')) : 10;
  if (!Number.isInteger(pageSize) || pageSize < 0) throw new MockHttpError(400, `Invalid value for pageSize: ${query.get('pageSize') ?? ''}`);
  const size = pageSize === 0 ? 10 : Math.min(pageSize, 100);
  const token = query.get('pageToken');
  const offset = token === null || token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new MockHttpError(400, 'Invalid page token.');
  const now = context.state.clock.now();
  const files = [...context.state.gemini.files.values()].filter((file) => file.expiresAtMs > now).reverse();
  const page = files.slice(offset, offset + size);
  return {
    status: 200,
    body: {
      files: page.map((file) => geminiFileObject(file, context.origin)),
      ...(offset + size < files.length ? { nextPageToken: Buffer.from(String(offset + size)).toString('base64url') } : {}),
    },
  };
}

/** `GET /v1beta/files/{id}:download?alt=media` — the bytes, streamed; `truncated` cuts them mid-line. */
export function downloadGeminiFile(context: RouteContext): RouteResult {
  if (context.url.searchParams.get('alt') !== 'media') throw new MockHttpError(400, 'Downloading a file requires alt=media.');
  const file = requireGeminiFile(context.state, context.params.id ?? '');
  const truncate = context.fault === 'truncated' || (context.state.batchFaults.truncateResults === true && file.source === 'GENERATED');
  const content = file.content;
  if (Buffer.isBuffer(content)) {
    return { status: 200, raw: truncate ? content.subarray(0, Math.floor(content.length / 2)) : content, contentType: file.mimeType };
  }
  return { status: 200, contentType: file.mimeType, stream: (response) => streamLines(response, content as readonly string[], truncate) };
}
