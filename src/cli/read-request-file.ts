import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { decodeJsonl, readJsonlFile, type DecodeJsonlOptions, type JsonlLine } from '../jsonl/decode-jsonl.js';
import { batchRequestSchema, isOpenAIBatchLine, type BatchRequestInput } from '../models/batch-request.js';
import { fromOpenAIBatchLine } from '../models/openai-batch-line.js';
import { UsageError } from './usage-error.js';

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
 * issues name their line: invalid JSON, unknown keys, invalid fields, duplicate ids, an empty file.
 *
 * @throws UsageError when the file cannot be read.
 * @throws ValidationError when any line is bad.
 */
export async function readRequestFile(path: string, options: { readonly format?: InputFormat } = {}): Promise<RequestFile> {
  const format = options.format ?? (extname(path).toLowerCase() === '.txt' ? 'txt' : 'jsonl');
  // A JSONL file is checked here and read again when submitted: only line numbers are kept.
  const read =
    format === 'txt'
      ? readFile(path, 'utf8').then(collectPromptLines)
      : collectJsonlRequests((decodeOptions) => readJsonlFile(path, decodeOptions), { keep: false });
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
      ? collectPromptLines(await readText(source))
      : await collectJsonlRequests((decodeOptions) => decodeJsonl(source, decodeOptions), { keep: true });
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

// Prompt files are read whole, as text, so a stream is gathered first (its bytes decoded as UTF-8,
// characters split across chunks included).
async function readText(source: AsyncIterable<Uint8Array | string>): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  const pieces: string[] = [];
  for await (const chunk of source) pieces.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  pieces.push(decoder.decode());
  return pieces.join('');
}

function collectPromptLines(text: string): Collected {
  // Prompt lines name no model.
  const collected: Collected = { requests: [], lines: [], issues: [], lacksModel: true };
  const rows = text.replace(/^\uFEFF/, '').split('\n');
  rows.forEach((row, position) => {
    const prompt = row.endsWith('\r') ? row.slice(0, -1) : row;
    if (prompt.trim() === '') return;
    const line = position + 1;
    collected.requests.push({ id: `line_${line}`, messages: [{ role: 'user', content: prompt }] });
    collected.lines.push(line);
  });
  return collected;
}

async function collectJsonlRequests(
  decode: (options: DecodeJsonlOptions) => AsyncIterable<JsonlLine>,
  options: { readonly keep: boolean },
): Promise<Collected> {
  const collected: Collected = { requests: [], lines: [], issues: [], lacksModel: false };
  const firstLineById = new Map<string, number>();
  let index = 0;
  const onMalformed = ({ line, error }: { line: number; error: Error }): void => {
    collected.issues.push({ index: index++, line, field: '', reason: `invalid JSON (${error.message})` });
  };
  for await (const { line, value } of decode({ onMalformed })) {
    const position = index++;
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
