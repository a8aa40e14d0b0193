import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { decodeJsonl, readJsonlFile, type DecodeJsonlOptions, type JsonlLine } from '../jsonl/decode-jsonl.js';
import { batchRequestSchema, isOpenAIBatchLine, type BatchRequestInput } from '../models/batch-request.js';
import { fromOpenAIBatchLine } from '../wire/openai/openai-batch-line.js';
import { RejectedInput } from '../client/stream-intake.js';
import { UsageError } from './usage-error.js';
import { Utf8LineChecker } from './utf8-line-checker.js';

/** Requests read from a file, with the 1-based line each came from (to name lines in later errors). */
export interface RequestFile {
  /** The file's path, or the name of the stream it was read from (`<stdin>`). */
  readonly path: string;
  /**
   * The requests, all checked. A JSONL file is read again from disk as they are consumed, so a file
   * of millions of lines is never held in memory; other inputs are held as read.
   */
  readonly requests: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>;
  /** How many requests there are. */
  readonly count: number;
  /** True when some request names no model (so a default one is needed). */
  readonly lacksModel: boolean;
  readonly lines: number[];
}

/** How request lines are read: `jsonl`, one JSON request a line; `txt`, one prompt a line. */
export const inputFormats = ['jsonl', 'txt'] as const;
export type InputFormat = (typeof inputFormats)[number];

const requestKeys = Object.keys(batchRequestSchema.shape);
const openAILineKeys = ['custom_id', 'method', 'url', 'body'];

/**
 * Reads a request file: JSONL of `BatchRequest`s or of OpenAI batch lines (both may be mixed), or a
 * `.txt` file with one prompt a line (ids `line_<n>`, n the line number). `format` overrides the
 * choice by extension. Every problem of every line is collected into one `ValidationError` whose
 * issues name their line: invalid UTF-8, invalid JSON, unknown keys, invalid fields, duplicate ids,
 * an empty file.
 *
 * @throws UsageError when the file cannot be read.
 * @throws ValidationError when any line is bad.
 */
export async function readRequestFile(path: string, options: { readonly format?: InputFormat } = {}): Promise<RequestFile> {
  const format = options.format ?? (extname(path).toLowerCase() === '.txt' ? 'txt' : 'jsonl');
  // A JSONL file is checked here and read again when submitted: only line numbers are kept.
  const read =
    format === 'txt'
      ? readFile(path).then((bytes) => collectPromptLines(bytes))
      : collectJsonlRequests((decodeOptions, utf8) => decodeJsonl(checkUtf8(createReadStream(path, { highWaterMark: 64 * 1024 }), utf8), decodeOptions), {
          keep: false,
        });
  const collected = await read.catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`cannot read ${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`cannot read ${path}: it is a folder`);
    if (code === 'EACCES') throw new UsageError(`cannot read ${path}: permission denied`);
    throw error;
  });
  const file = toRequestFile(path, format, collected);
  return format === 'txt' ? file : { ...file, requests: rereadJsonl(path) };
}

/** The requests of a checked JSONL file, read from disk again as they are consumed. */
function rereadJsonl(path: string): AsyncIterable<BatchRequestInput> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const { value } of readJsonlFile(path)) yield value as BatchRequestInput;
    },
  };
}

/**
 * A JSONL file or stream for `--intake streaming`: read once, as the requests are taken, with no
 * checking pass first. The client checks each request as it comes; a line that is not UTF-8 or
 * not JSON comes as a {@link RejectedInput} naming its line, and fails alone. A `.txt` file of
 * prompts is read as {@link readRequestFile} reads it (a prompt line cannot be bad).
 */
export async function streamRequestFile(
  source: string | AsyncIterable<Uint8Array | string>,
  options: { readonly name?: string; readonly format?: InputFormat } = {},
): Promise<RequestFile> {
  const name = typeof source === 'string' ? source : (options.name ?? '<stdin>');
  const format = options.format ?? (typeof source === 'string' && extname(source).toLowerCase() === '.txt' ? 'txt' : 'jsonl');
  if (format === 'txt') return typeof source === 'string' ? readRequestFile(source, { format }) : readRequestStream(source, { name, format });
  if (typeof source === 'string') {
    // Refused here, with the usual words, rather than as an input that breaks off at its start.
    const found = await stat(source).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ENOENT') throw new UsageError(`cannot read ${source}: no such file`);
      throw error;
    });
    if (found.isDirectory()) throw new UsageError(`cannot read ${source}: it is a folder`);
  }
  const bytes = typeof source === 'string' ? createReadStream(source, { highWaterMark: 64 * 1024 }) : source;
  async function* requests(): AsyncGenerator<BatchRequestInput | RejectedInput> {
    const utf8 = new Utf8LineChecker();
    // A chunk's malformed lines are reported before its good lines are yielded: each waits for its turn by line number.
    const malformed: Array<{ line: number; input: RejectedInput }> = [];
    const onMalformed = ({ line, error }: { line: number; error: Error }): void => {
      malformed.push({ line, input: new RejectedInput(`line ${line}: ${utf8.invalidLines.has(line) ? invalidUtf8Reason : `invalid JSON (${error.message})`}`) });
    };
    for await (const { line, value } of decodeJsonl(checkUtf8(bytes, utf8), { onMalformed })) {
      while (malformed.length > 0 && malformed[0]!.line < line) yield malformed.shift()!.input;
      yield utf8.invalidLines.has(line) ? new RejectedInput(`line ${line}: ${invalidUtf8Reason}`, idOf(value)) : (value as BatchRequestInput);
    }
    for (const { input } of malformed) yield input;
  }
  // Nothing is known of the requests before they are read: a default model is offered for any that lacks one.
  return { path: name, requests: requests() as AsyncIterable<BatchRequestInput>, count: Number.NaN, lacksModel: true, lines: [] };
}

/**
 * Reads requests from a stream (standard input) exactly as {@link readRequestFile} reads a file of
 * the given format; `name` stands for the stream where a file's path would appear.
 *
 * @throws ValidationError when any line is bad, or the stream is empty.
 * @example
 * const file = await readRequestStream(process.stdin, { name: '<stdin>', format: 'jsonl' });
 */
export async function readRequestStream(
  source: AsyncIterable<Uint8Array | string>,
  options: { readonly name: string; readonly format: InputFormat },
): Promise<RequestFile> {
  const collected =
    options.format === 'txt'
      ? collectPromptLines(await readBytes(source))
      : await collectJsonlRequests((decodeOptions, utf8) => decodeJsonl(checkUtf8(source, utf8), decodeOptions), { keep: true });
  return toRequestFile(options.name, options.format, collected);
}

function toRequestFile(path: string, format: InputFormat, collected: Collected): RequestFile {
  if (collected.issues.length === 0 && collected.lines.length === 0) {
    collected.issues.push({
      index: 0,
      field: '',
      reason: format === 'txt' ? 'the file is empty: expected one prompt a line' : 'the file is empty: expected one JSON request a line',
    });
  }
  if (collected.issues.length > 0) throw new ValidationError(collected.issues, { subject: 'line' });
  return { path, requests: collected.requests, count: collected.lines.length, lacksModel: collected.lacksModel, lines: collected.lines };
}

interface Collected {
  /** The requests, when kept (a stream cannot be read twice). */
  requests: BatchRequestInput[];
  lines: number[];
  issues: ValidationIssue[];
  lacksModel: boolean;
}

/** What a line that is not UTF-8 is told; a decoder would have sent U+FFFD in place of its bytes. */
const invalidUtf8Reason = 'invalid UTF-8: the line holds bytes that are not UTF-8 text (save the file as UTF-8)';

/** Passes the chunks of `source` on unchanged, checking their bytes for UTF-8 as they go by. */
async function* checkUtf8(source: AsyncIterable<Uint8Array | string>, checker: Utf8LineChecker): AsyncGenerator<Uint8Array | string> {
  // Chunks that are already text were decoded upstream; there is nothing left to check in them.
  for await (const chunk of source) {
    if (typeof chunk !== 'string') checker.push(chunk);
    yield chunk;
  }
  checker.end();
}

// Prompt files are read whole, so a stream is gathered first.
async function readBytes(source: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}

function collectPromptLines(bytes: Uint8Array): Collected {
  // Prompt lines name no model.
  const collected: Collected = { requests: [], lines: [], issues: [], lacksModel: true };
  const utf8 = new Utf8LineChecker();
  utf8.push(bytes);
  utf8.end();
  const rows = new TextDecoder('utf-8').decode(bytes).split('\n');
  rows.forEach((row, position) => {
    const prompt = row.endsWith('\r') ? row.slice(0, -1) : row;
    if (prompt.trim() === '') return;
    const line = position + 1;
    if (utf8.invalidLines.has(line)) {
      collected.issues.push({ index: collected.issues.length, line, field: '', reason: invalidUtf8Reason });
      return;
    }
    collected.requests.push({ id: `line_${line}`, messages: [{ role: 'user', content: prompt }] });
    collected.lines.push(line);
  });
  return collected;
}

/**
 * Checks every line that `decode` yields. `decode` passes its bytes through the UTF-8 checker it is
 * given, which has seen a line's bytes by the time the line is decoded: a line that is not UTF-8 is
 * reported as that alone (its JSON, decoded with U+FFFD in place of the bad bytes, is not checked).
 */
async function collectJsonlRequests(
  decode: (options: DecodeJsonlOptions, utf8: Utf8LineChecker) => AsyncIterable<JsonlLine>,
  options: { readonly keep: boolean },
): Promise<Collected> {
  const collected: Collected = { requests: [], lines: [], issues: [], lacksModel: false };
  const utf8 = new Utf8LineChecker();
  const firstLineById = new Map<string, number>();
  let index = 0;
  const onMalformed = ({ line, error }: { line: number; error: Error }): void => {
    const reason = utf8.invalidLines.has(line) ? invalidUtf8Reason : `invalid JSON (${error.message})`;
    collected.issues.push({ index: index++, line, field: '', reason });
  };
  for await (const { line, value } of decode({ onMalformed }, utf8)) {
    const position = index++;
    if (utf8.invalidLines.has(line)) {
      collected.issues.push({ index: position, line, field: '', reason: invalidUtf8Reason });
      continue;
    }
    const issues = checkLine(value, position, line);
    const id = idOf(value);
    if (id !== undefined) {
      const first = firstLineById.get(id);
      if (first !== undefined) issues.push({ index: position, line, id, field: 'id', reason: `duplicate id (first used on line ${first})` });
      else firstLineById.set(id, line);
    }
    if (issues.length > 0) {
      collected.issues.push(...issues);
      continue;
    }
    if (options.keep) collected.requests.push(value as BatchRequestInput);
    collected.lines.push(line);
    collected.lacksModel ||= lacksModel(value as BatchRequestInput);
  }
  collected.issues.sort((left, right) => (left.line ?? 0) - (right.line ?? 0));
  return collected;
}

function lacksModel(request: BatchRequestInput): boolean {
  if (typeof request === 'string' || 'prompt' in request) return true;
  const model = 'custom_id' in request ? (request.body as { model?: unknown }).model : request.model;
  return typeof model !== 'string' || model === '';
}

/** True when some request names no model (so a default one is needed). */
export function someRequestLacksModel(requests: readonly BatchRequestInput[]): boolean {
  return requests.some(lacksModel);
}

function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = isOpenAIBatchLine(value) ? value.custom_id : (value as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function checkLine(value: unknown, index: number, line: number): ValidationIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return [{ index, line, field: '', reason: `expected a JSON object (a request), got ${kind}` }];
  }
  const id = idOf(value);
  const base = { index, line, ...(id === undefined ? {} : { id }) };
  if (isOpenAIBatchLine(value)) {
    const unknown = Object.keys(value).filter((key) => !openAILineKeys.includes(key));
    if (unknown.length > 0) return [{ ...base, field: unknown.join(', '), reason: unknownKeysReason(unknown, openAILineKeys) }];
    try {
      fromOpenAIBatchLine(value, index);
      return [];
    } catch (error) {
      if (!ValidationError.isInstance(error)) throw error;
      return error.issues.map((issue) => ({ ...issue, line }));
    }
  }
  const parsed = batchRequestSchema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => (path ? `${path}.${key}` : key));
      return { ...base, field: keys.join(', '), reason: unknownKeysReason(keys, path ? undefined : requestKeys) };
    }
    return { ...base, field: path, reason: issue.message };
  });
}

function unknownKeysReason(keys: readonly string[], known: readonly string[] | undefined): string {
  const noun = keys.length === 1 ? 'unknown key' : 'unknown keys';
  return known ? `${noun} (a line has ${known.join(', ')})` : noun;
}

/**
 * Rewrites the issues of a `ValidationError` thrown by the client (which counts requests from 0)
 * so that each names the line of the file the request came from.
 */
export function withFileLines(error: ValidationError, file: RequestFile): ValidationError {
  const issues = error.issues.map((issue) => {
    const line = file.lines[issue.index];
    return line === undefined || issue.line !== undefined ? issue : { ...issue, line };
  });
  return new ValidationError(issues, { subject: 'request' });
}
