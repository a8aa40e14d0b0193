import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { requestIdPattern, type BatchRequest } from '../models/batch-request.js';
import { rowLineOf } from './read-data-rows.js';
import { fillTemplate } from './render-template.js';

/** A template with named variants: every row is rendered once per variant. */
export interface TemplateVariants {
  /** Prompt templates by variant name (`^[A-Za-z0-9_-]+$`); each row × variant is one request with id `${rowId}_${variant}`. */
  readonly variants: Readonly<Record<string, string>>;
  /** A system prompt template shared by the variants. */
  readonly system?: string;
  readonly model?: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
}

/** A prompt template with `{{field}}` placeholders, or named variants. */
export type PromptTemplate = string | TemplateVariants;

/** Options of {@link buildRequestsFromTemplate}. */
export interface BuildRequestsFromTemplateOptions {
  readonly template: PromptTemplate;
  /** Rows of data: objects whose fields fill the placeholders (see `readDataRows` for CSV and JSONL). */
  readonly rows: Iterable<Readonly<Record<string, unknown>>> | AsyncIterable<Readonly<Record<string, unknown>>>;
  /**
   * The field holding each row's id. Without it, a row's `id` field is used when present, else
   * `row_<n>` (1-based).
   * @default 'id'
   */
  readonly idField?: string;
  /** The model of every request (a variant template's `model` wins). */
  readonly model?: string;
  /** A system prompt template (a variant template's `system` wins). */
  readonly system?: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
}

/**
 * Builds requests from a prompt template and rows of data. Each request carries the row's data
 * position in `metadata` (`row`, and `variant` for variants). Every problem of every row (a
 * placeholder the row has no field for, a missing or invalid id, duplicate ids) is reported at once
 * in one ValidationError naming the row (and its line, for rows read from a file).
 *
 * @example
 * const requests = await buildRequestsFromTemplate({
 *   template: { variants: { short: 'Summarize in one line: {{text}}', long: 'Summarize: {{text}}' } },
 *   rows: await readDataRows('reviews.csv'),
 *   model: 'gpt-5.4-mini',
 * });
 */
export async function buildRequestsFromTemplate(options: BuildRequestsFromTemplateOptions): Promise<BatchRequest[]> {
  const variants = normalizeTemplate(options.template);
  const spec: Partial<TemplateVariants> = typeof options.template === 'string' ? {} : options.template;
  const system = spec.system ?? options.system;
  const model = spec.model ?? options.model;
  const maxTokens = spec.maxTokens ?? options.maxTokens;
  const temperature = spec.temperature ?? options.temperature;
  if (options.idField !== undefined && (typeof options.idField !== 'string' || options.idField === '')) {
    throw new TypeError(`buildRequestsFromTemplate: option "idField" must be a non-empty string, got ${JSON.stringify(options.idField)}`);
  }
  const requests: BatchRequest[] = [];
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  let index = 0;
  for await (const row of options.rows) {
    const position = index++;
    const line = typeof row === 'object' && row !== null ? rowLineOf(row) : undefined;
    const where = { index: position, ...(line === undefined ? {} : { line }) };
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      issues.push({ ...where, field: '', reason: 'expected an object of fields' });
      continue;
    }
    const rowId = idOf(row, options.idField, position);
    if (rowId === undefined) {
      issues.push({ ...where, field: options.idField ?? 'id', reason: 'the row has no id' });
      continue;
    }
    const located = { ...where, id: rowId };
    const renderedSystem = system === undefined ? undefined : fillTemplate(system, row);
    if (renderedSystem && renderedSystem.missing.length > 0) {
      issues.push({ ...located, field: 'system', reason: unknownPlaceholders(renderedSystem.missing, row) });
    }
    for (const [variant, template] of variants) {
      const id = variant === undefined ? rowId : `${rowId}_${variant}`;
      if (!requestIdPattern.test(id)) {
        issues.push({ ...located, field: options.idField ?? 'id', reason: `the request id "${id}" must match ${requestIdPattern}` });
        continue;
      }
      const first = seen.get(id);
      if (first !== undefined) {
        issues.push({ ...located, field: options.idField ?? 'id', reason: `duplicate request id "${id}" (first made from row ${first})` });
        continue;
      }
      seen.set(id, position);
      const rendered = fillTemplate(template, row);
      if (rendered.missing.length > 0) {
        issues.push({ ...located, field: variant === undefined ? 'template' : `variants.${variant}`, reason: unknownPlaceholders(rendered.missing, row) });
        continue;
      }
      if (issues.length > 0) continue;
      requests.push({
        id,
        ...(model === undefined ? {} : { model }),
        ...(renderedSystem === undefined ? {} : { system: renderedSystem.text }),
        messages: [{ role: 'user', content: rendered.text }],
        ...(maxTokens === undefined ? {} : { maxTokens }),
        ...(temperature === undefined ? {} : { temperature }),
        metadata: { row: position, ...(variant === undefined ? {} : { variant }) },
      });
    }
  }
  if (index === 0) issues.push({ index: 0, field: '', reason: 'no rows: the data is empty' });
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'row' });
  return requests;
}

function normalizeTemplate(template: PromptTemplate): [string | undefined, string][] {
  if (typeof template === 'string') return [[undefined, template]];
  if (typeof template !== 'object' || template === null || typeof template.variants !== 'object' || template.variants === null) {
    throw new TypeError(`buildRequestsFromTemplate: option "template" must be a string or { variants: { name: template } }, got ${JSON.stringify(template)}`);
  }
  const entries = Object.entries(template.variants);
  if (entries.length === 0) throw new TypeError('buildRequestsFromTemplate: option "template.variants" must name at least one variant');
  for (const [name, text] of entries) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new TypeError(`buildRequestsFromTemplate: variant name ${JSON.stringify(name)} must match ^[A-Za-z0-9_-]+$ (it becomes part of request ids)`);
    }
    if (typeof text !== 'string') throw new TypeError(`buildRequestsFromTemplate: option "template.variants.${name}" must be a string, got ${JSON.stringify(text)}`);
  }
  return entries;
}

function idOf(row: Readonly<Record<string, unknown>>, idField: string | undefined, position: number): string | undefined {
  const value = row[idField ?? 'id'];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return idField === undefined ? `row_${position + 1}` : undefined;
}

function unknownPlaceholders(missing: readonly string[], row: Readonly<Record<string, unknown>>): string {
  const names = missing.map((name) => `{{${name}}}`).join(', ');
  const fields = Object.keys(row);
  return `unknown placeholder${missing.length === 1 ? '' : 's'} ${names}; the row has ${fields.length === 0 ? 'no fields' : `fields ${fields.join(', ')}`}`;
}
