/**
 * Generates a value that validates against a JSON Schema, for structured-output and tool-call answers.
 * Covers what structured outputs use in practice: objects, arrays, strings (with common formats),
 * numbers, integers, booleans, null, enum/const, anyOf/oneOf/allOf and local `$ref`s.
 */
import type { RandomSource } from './random.js';

type Schema = Record<string, unknown>;

const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
const maxDepth = 12;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveReference(reference: string, root: Schema): Schema {
  if (!reference.startsWith('#')) return {};
  const segments = reference.slice(1).split('/').filter((segment) => segment !== '');
  let current: unknown = root;
  for (const segment of segments) {
    if (!isSchema(current)) return {};
    current = current[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isSchema(current) ? current : {};
}

function sampleString(schema: Schema, random: RandomSource): string {
  switch (schema.format) {
    case 'date-time':
      return '2025-01-01T00:00:00Z';
    case 'date':
      return '2025-01-01';
    case 'time':
      return '12:00:00';
    case 'email':
      return 'user@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    default:
      break;
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  let text = words[Math.floor(random() * words.length)] ?? 'alpha';
  while (text.length < minLength) text += ` ${words[Math.floor(random() * words.length)] ?? 'alpha'}`;
  return text.slice(0, Math.max(minLength, Math.min(maxLength, text.length)));
}

function sampleNumber(schema: Schema, random: RandomSource, integer: boolean): number {
  let minimum = typeof schema.minimum === 'number' ? schema.minimum : 0;
  let maximum = typeof schema.maximum === 'number' ? schema.maximum : minimum + 100;
  if (typeof schema.exclusiveMinimum === 'number') minimum = schema.exclusiveMinimum + (integer ? 1 : 0.5);
  if (typeof schema.exclusiveMaximum === 'number') maximum = schema.exclusiveMaximum - (integer ? 1 : 0.5);
  if (maximum < minimum) maximum = minimum;
  const value = minimum + random() * (maximum - minimum);
  if (integer) {
    const rounded = Math.floor(value);
    return Math.min(Math.max(rounded, Math.ceil(minimum)), Math.floor(maximum));
  }
  return Math.round(value * 100) / 100;
}

function sample(schema: Schema, root: Schema, random: RandomSource, depth: number): unknown {
  if (typeof schema.$ref === 'string') return sample(resolveReference(schema.$ref, root), root, random, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[Math.floor(random() * schema.enum.length)];
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      // Prefer a non-null branch so nullable fields still carry data.
      const chosen = options.find((option) => isSchema(option) && option.type !== 'null') ?? options[0];
      return sample(isSchema(chosen) ? chosen : {}, root, random, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = {};
    const properties: Schema = {};
    const required: unknown[] = [];
    for (const part of schema.allOf) {
      if (!isSchema(part)) continue;
      const resolved = typeof part.$ref === 'string' ? resolveReference(part.$ref, root) : part;
      Object.assign(merged, resolved);
      if (isSchema(resolved.properties)) Object.assign(properties, resolved.properties);
      if (Array.isArray(resolved.required)) required.push(...resolved.required);
    }
    return sample({ ...merged, type: 'object', properties, required }, root, random, depth + 1);
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((candidate) => candidate !== 'null') ?? type[0];
  if (type === undefined) {
    if (isSchema(schema.properties)) type = 'object';
    else if (schema.items !== undefined) type = 'array';
    else type = 'string';
  }
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      if (depth >= maxDepth) return result;
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
      // Every listed property is emitted: strict structured outputs require them all anyway.
      for (const key of new Set([...Object.keys(properties), ...required])) {
        const propertySchema = properties[key];
        result[key] = sample(isSchema(propertySchema) ? propertySchema : {}, root, random, depth + 1);
      }
      return result;
    }
    case 'array': {
      if (depth >= maxDepth) return [];
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(minItems, 3);
      const count = minItems + Math.floor(random() * (maxItems - minItems + 1));
      const itemSchema = isSchema(schema.items) ? schema.items : {};
      const items: unknown[] = [];
      for (let index = 0; index < count; index += 1) items.push(sample(itemSchema, root, random, depth + 1));
      return items;
    }
    case 'string':
      return sampleString(schema, random);
    case 'integer':
      return sampleNumber(schema, random, true);
    case 'number':
      return sampleNumber(schema, random, false);
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    default:
      return null;
  }
}

/** Returns a value valid against `schema` (local `$ref`s resolve against the schema itself). */
export function sampleFromJsonSchema(schema: unknown, random: RandomSource): unknown {
  const root = isSchema(schema) ? schema : {};
  return sample(root, root, random, 0);
}
