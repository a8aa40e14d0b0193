import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { parseCsvRecords } from './parse-csv.js';

/** The formats rows of data can come in. */
export type DataFormat = 'csv' | 'jsonl' | 'json';

const lineKey = Symbol('llm-batch.row-line');

/** The 1-based line a row was read from (its first line for a CSV record spanning several), when known. */
export function rowLineOf(row: object): number | undefined {
  const line = (row as { [lineKey]?: unknown })[lineKey];
  return typeof line === 'number' ? line : undefined;
}

function withLine<T extends object>(row: T, line: number): T {
  Object.defineProperty(row, lineKey, { value: line, enumerable: false });
  return row;
}

/**
 * Parses rows of data: CSV with a header row (RFC 4180), JSONL (one object a line, blank lines
 * skipped) or a JSON array of objects. Every bad line is reported at once in one ValidationError.
 *
 * @example
 * parseDataRows('id,text\n1,hello\n', 'csv') // [{ id: '1', text: 'hello' }]
 */
export function parseDataRows(text: string, format: DataFormat): Record<string, unknown>[] {
  if (format === 'csv') {
    const rows = parseCsvRecords(text);
    const starts = csvRecordLines(text);
    return rows.map((row, index) => withLine(row, starts[index] ?? index + 2));
  }
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ValidationError([{ index: 0, field: '', reason: `invalid JSON: ${(error as Error).message}` }], { subject: 'data' });
    }
    if (!Array.isArray(parsed)) throw new ValidationError([{ index: 0, field: '', reason: 'expected a JSON array of row objects' }], { subject: 'data' });
    const issues: ValidationIssue[] = [];
    parsed.forEach((row, index) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) issues.push({ index, field: '', reason: 'expected an object' });
    });
    if (issues.length > 0) throw new ValidationError(issues, { subject: 'row' });
    return parsed as Record<string, unknown>[];
  }
  const rows: Record<string, unknown>[] = [];
  const issues: ValidationIssue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ index, line, field: '', reason: 'expected a JSON object' });
      } else rows.push(withLine(value as Record<string, unknown>, line));
    } catch (error) {
      issues.push({ index, line, field: '', reason: `invalid JSON: ${(error as Error).message}` });
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return rows;
}

/**
 * Reads rows of data from a file; the format comes from the extension (`.csv`, `.jsonl`/`.ndjson`,
 * `.json`) unless given.
 */
export async function readDataRows(path: string, options: { format?: DataFormat } = {}): Promise<Record<string, unknown>[]> {
  const format = options.format ?? formatOf(path);
  return parseDataRows(await readFile(path, 'utf8'), format);
}

function formatOf(path: string): DataFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new TypeError(`readDataRows: cannot tell the format of ${JSON.stringify(path)} from its extension; pass format 'csv', 'jsonl' or 'json'`);
}

/** The line each CSV data record (after the header) starts on, skipping blank lines as the parser does. */
function csvRecordLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let quoted = false;
  let recordStart = 1;
  let empty = true;
  let seenHeader = false;
  const end = (): void => {
    if (seenHeader && !empty) starts.push(recordStart);
    seenHeader = true;
    empty = true;
  };
  for (const character of text) {
    if (character === '"') quoted = !quoted;
    if (character === '\n') {
      line++;
      if (!quoted) {
        end();
        recordStart = line;
        continue;
      }
    }
    if (character !== '\r' && character !== '\uFEFF') empty = false;
  }
  if (!empty) end();
  return starts;
}
