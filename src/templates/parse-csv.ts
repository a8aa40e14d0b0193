import { ValidationError } from '../errors/validation-error.js';

/**
 * Parses CSV text (RFC 4180): fields separated by commas, records by CRLF or LF, fields in double
 * quotes may hold commas, line breaks and doubled quotes (`""` is one `"`). A byte-order mark is
 * dropped, and a final line break does not make an empty record. A quote that is never closed, or
 * text right after a closing quote, is a ValidationError naming the line.
 *
 * @example
 * parseCsv('id,text\r\n1,"Hello, ""world"""\r\n') // [['id', 'text'], ['1', 'Hello, "world"']]
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldWasQuoted = false;
  let line = 1;
  let quoteLine = 1;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    record.push(field);
    records.push(record);
    record = [];
    field = '';
    fieldWasQuoted = false;
  };
  while (position < text.length) {
    const character = text[position]!;
    if (quoted) {
      if (character === '"') {
        if (text[position + 1] === '"') {
          field += '"';
          position += 2;
          continue;
        }
        quoted = false;
        const next = text[position + 1];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw csvError(line, `unexpected text after a closing quote (quotes inside a quoted field are written "")`);
        }
      } else {
        if (character === '\n') line++;
        field += character;
      }
      position++;
      continue;
    }
    if (character === '"') {
      if (field !== '' || fieldWasQuoted) throw csvError(line, 'a quote inside an unquoted field (quote the whole field and write "" for ")');
      quoted = true;
      fieldWasQuoted = true;
      quoteLine = line;
    } else if (character === ',') {
      record.push(field);
      field = '';
      fieldWasQuoted = false;
    } else if (character === '\r' || character === '\n') {
      if (character === '\r' && text[position + 1] === '\n') position++;
      endRecord();
      line++;
    } else {
      field += character;
    }
    position++;
  }
  if (quoted) throw csvError(quoteLine, 'a quoted field is never closed');
  if (field !== '' || fieldWasQuoted || record.length > 0) endRecord();
  return records;
}

/**
 * Parses CSV with a header row into one object per record, keyed by the header names. Blank lines
 * are skipped; a record with more or fewer fields than the header is a ValidationError naming its line.
 */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const lines = lineNumbers(text);
  const records = parseCsv(text);
  const header = records[0];
  if (!header) return [];
  const names = header.map((name) => name.trim());
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw csvError(1, `the header names the column "${duplicate}" twice`);
  const rows: Record<string, string>[] = [];
  records.slice(1).forEach((values, offset) => {
    if (values.length === 1 && values[0] === '') return;
    if (values.length !== names.length) {
      throw csvError(lines[offset + 1] ?? offset + 2, `${values.length} fields, but the header has ${names.length}`);
    }
    rows.push(Object.fromEntries(names.map((name, index) => [name, values[index] ?? ''])));
  });
  return rows;
}

/** The 1-based line each record starts on (records can span lines). */
function lineNumbers(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let quoted = false;
  let atStart = true;
  for (let position = text.charCodeAt(0) === 0xfeff ? 1 : 0; position < text.length; position++) {
    const character = text[position];
    if (atStart) {
      starts.push(line);
      atStart = false;
    }
    if (character === '"') quoted = !quoted;
    else if (character === '\n') {
      line++;
      if (!quoted) atStart = true;
    }
  }
  return starts;
}

function csvError(line: number, reason: string): ValidationError {
  return new ValidationError([{ index: line - 1, line, field: '', reason: `CSV: ${reason}` }], { subject: 'line' });
}
