import { ValidationError } from '../errors/validation-error.js';

const placeholderPattern = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** The distinct placeholder names of a template, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(placeholderPattern)].map((match) => match[1]!))];
}

/**
 * Fills `{{field}}` placeholders (spaces inside the braces allowed; `{{a.b}}` reads nested objects)
 * from a row. Values that are not strings are written as JSON, except numbers and booleans.
 * Returns the text and the placeholders the row has no value for.
 */
export function fillTemplate(template: string, row: Readonly<Record<string, unknown>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(placeholderPattern, (whole, name: string) => {
    const value = lookup(row, name);
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return whole;
    }
    return stringify(value);
  });
  return { text, missing };
}

/**
 * Renders a template with one row. A placeholder the row has no value for is a ValidationError.
 *
 * @example
 * renderTemplate('Classify: {{text}}', { text: 'Great product' }) // 'Classify: Great product'
 */
export function renderTemplate(template: string, row: Readonly<Record<string, unknown>>): string {
  const { text, missing } = fillTemplate(template, row);
  if (missing.length > 0) {
    throw new ValidationError([{ index: 0, field: missing.join(', '), reason: `unknown placeholder${missing.length === 1 ? '' : 's'}: the row has no such field` }], { subject: 'row' });
  }
  return text;
}

function lookup(row: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(row, name)) return row[name];
  let node: unknown = row;
  for (const key of name.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function stringify(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
