import type { BatchJob } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';

export const outputFormats = ['md', 'json', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** Where formatted output goes, a piece at a time (results stream; they are never all held at once). */
export type TextSink = (text: string) => void | Promise<void>;

const csvColumns = [
  'id',
  'status',
  'text',
  'output',
  'finish_reason',
  'model',
  'input_tokens',
  'output_tokens',
  'error_category',
  'error_retryable',
  'error_message',
] as const;

/**
 * Writes a job's results in a format: `md` (a readable report with a header of counts), `json`
 * (one document: job id, status, counts, results), `jsonl` (one result a line) or `csv` (one row a
 * result, RFC 4180 quoting, formulas neutralised: see {@link csvCell}). The provider's raw payload is
 * left out.
 */
export async function writeResults(
  format: OutputFormat,
  job: Pick<BatchJob, 'id' | 'status' | 'counts'>,
  results: AsyncIterable<BatchResult>,
  write: TextSink,
  options: { title?: string } = {},
): Promise<void> {
  switch (format) {
    case 'md': {
      const { counts } = job;
      const header = [`# ${options.title ?? 'Batch Results'} (${job.id})`, `- Completed: ${counts.succeeded}`, `- Failed: ${counts.failed}`];
      if (counts.cancelled > 0) header.push(`- Cancelled: ${counts.cancelled}`);
      if (counts.expired > 0) header.push(`- Expired: ${counts.expired}`);
      if (counts.pending > 0) header.push(`- Pending: ${counts.pending}`);
      await write(`${header.join('\n')}\n`);
      for await (const result of results) await write(`\n${markdownItem(result)}`);
      return;
    }
    case 'json': {
      await write(`{"jobId":${JSON.stringify(job.id)},"status":${JSON.stringify(job.status)},"counts":${JSON.stringify(job.counts)},"results":[`);
      let first = true;
      for await (const result of results) {
        await write(`${first ? '' : ','}\n${JSON.stringify(withoutRaw(result))}`);
        first = false;
      }
      await write(`${first ? '' : '\n'}]}\n`);
      return;
    }
    case 'jsonl': {
      for await (const result of results) await write(`${JSON.stringify(withoutRaw(result))}\n`);
      return;
    }
    case 'csv': {
      await write(`${csvColumns.join(',')}\r\n`);
      for await (const result of results) await write(`${csvRow(result).map(csvCell).join(',')}\r\n`);
      return;
    }
  }
}

function withoutRaw(result: BatchResult): BatchResult {
  if (!('raw' in result)) return result;
  const { raw: _raw, ...rest } = result as BatchResult & { raw?: unknown };
  return rest as BatchResult;
}

function markdownItem(result: BatchResult): string {
  if (result.status === 'succeeded') {
    const body = result.output !== undefined ? `\`\`\`json\n${JSON.stringify(result.output, null, 2)}\n\`\`\`` : result.text;
    const truncated = result.finishReason === 'stop' ? '' : ` (finish: ${result.finishReason})`;
    return `## ${result.id}${truncated}\n${body}\n`;
  }
  const error = result.error;
  const reason = error ? `${error.category}${error.retryable ? ', retryable' : ''}: ${error.message}` : result.status;
  return `## ${result.id} — ${result.status}\n> ${reason.replace(/\n/g, '\n> ')}\n`;
}

function csvRow(result: BatchResult): string[] {
  const error = result.status === 'succeeded' ? undefined : result.error;
  const usage = result.status === 'succeeded' || result.status === 'failed' ? result.usage : undefined;
  return [
    result.id,
    result.status,
    result.status === 'succeeded' ? result.text : '',
    result.status === 'succeeded' && result.output !== undefined ? JSON.stringify(result.output) : '',
    result.status === 'succeeded' ? result.finishReason : '',
    result.status === 'succeeded' ? result.model : '',
    usage ? String(usage.inputTokens) : '',
    usage ? String(usage.outputTokens) : '',
    error?.category ?? '',
    error ? String(error.retryable) : '',
    error?.message ?? '',
  ];
}

/**
 * One CSV cell. A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or a
 * carriage return before one) as a formula, so model text such as `=HYPERLINK(…)` could fetch a URL
 * or run a command when the file is opened: such a cell gets a leading single quote and is quoted,
 * as OWASP's advice on CSV injection says. The quote stays part of the cell's text; the `jsonl` and
 * `json` formats keep every text unchanged.
 */
function csvCell(value: string): string {
  const cell = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return cell !== value || /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
