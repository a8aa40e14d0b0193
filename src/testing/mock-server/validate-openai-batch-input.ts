/**
 * The checks the OpenAI batch service makes on an input file during `validating`.
 */
import type { BatchError, ParsedItem } from './openai-batch-record.js';
import type { EmulatorState } from './route-context.js';

/** Validates the input file the way the batch service does during `validating`. */
export function validateOpenAIBatchInput(content: Buffer, endpoint: string, state: EmulatorState): { items: ParsedItem[]; errors: BatchError[]; model: string | null } {
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
