import { z } from 'zod';
import type { ResponseFormat } from '../models/batch-request.js';
import type { JsonSchema } from './validate-json-schema.js';

/** A schema for structured output: a zod 4 schema, or a JSON schema object. */
export type StructuredOutputSchema = z.ZodType | JsonSchema;

/** The type of `BatchResult.output` for a schema: inferred from a zod schema, `unknown` for a JSON schema. */
export type InferStructuredOutput<S> = S extends z.ZodType ? z.output<S> : unknown;

/** True for a zod 4 schema (it has `_zod` and `safeParse`). */
export function isZodSchema(value: unknown): value is z.ZodType {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/**
 * The JSON schema sent to the provider. A zod schema is converted with `z.toJSONSchema` as the
 * model's side sees it (the input of any transform), with `additionalProperties: false` on plain
 * objects (strict structured output requires it; `z.looseObject` keeps its open shape) and without
 * the `$schema` key, which providers reject.
 */
export function toJsonSchema(schema: StructuredOutputSchema): JsonSchema {
  if (isZodSchema(schema)) {
    let converted: Record<string, unknown>;
    try {
      converted = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
    } catch (error) {
      throw new TypeError(`schema: this zod schema cannot be turned into a JSON schema: ${(error as Error).message}`);
    }
    const { $schema: _ignored, ...rest } = closeObjects(converted) as Record<string, unknown>;
    return rest;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new TypeError(`option "schema" must be a zod schema or a JSON schema object, got ${JSON.stringify(schema)}`);
  }
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
  return rest;
}

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = closeObjects(value);
  if (copy['type'] === 'object' && 'properties' in copy && !('additionalProperties' in copy)) copy['additionalProperties'] = false;
  return copy;
}

/**
 * True when a JSON schema meets OpenAI's strict mode rules: every object lists all its properties
 * as required and forbids additional ones.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (typeof schema !== 'object' || schema === null) return true;
  const node = schema as Record<string, unknown>;
  if (node['type'] === 'object' || 'properties' in node) {
    const properties = Object.keys((node['properties'] as Record<string, unknown> | undefined) ?? {});
    const required = new Set(Array.isArray(node['required']) ? (node['required'] as unknown[]) : []);
    if (node['additionalProperties'] !== false) return false;
    if (!properties.every((key) => required.has(key))) return false;
  }
  return Object.values(node).every(isStrictCompatible);
}

/** The `json_schema` kind of `ResponseFormat`. */
export type JsonSchemaResponseFormat = Extract<ResponseFormat, { type: 'json_schema' }>;

/** Options of {@link toResponseFormat}. */
export interface ResponseFormatOptions {
  /** The schema's name sent to the provider (`^[A-Za-z0-9_-]{1,64}$`). @default 'response' */
  readonly name?: string;
  /**
   * Ask for strict schema adherence (OpenAI). Strict mode requires every property to be required
   * (use `.nullable()` for optional fields) and no additional properties.
   * @default true when the schema meets those rules, else false
   */
  readonly strict?: boolean;
}

/**
 * The request's `responseFormat` for a schema: `{ type: 'json_schema', name, schema, strict }`,
 * which the adapters turn into OpenAI's `response_format` / `text.format` or Anthropic's
 * `output_config.format`.
 *
 * @example
 * toResponseFormat(z.object({ sentiment: z.enum(['positive', 'negative']) }), { name: 'sentiment' })
 */
export function toResponseFormat(schema: StructuredOutputSchema, options: ResponseFormatOptions = {}): JsonSchemaResponseFormat {
  const name = options.name ?? 'response';
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new TypeError(`option "schemaName" must match ^[A-Za-z0-9_-]{1,64}$, got ${JSON.stringify(options.name)}`);
  }
  if (options.strict !== undefined && typeof options.strict !== 'boolean') {
    throw new TypeError(`option "strict" must be a boolean, got ${JSON.stringify(options.strict)}`);
  }
  const jsonSchema = toJsonSchema(schema);
  return { type: 'json_schema', name, schema: { ...jsonSchema }, strict: options.strict ?? isStrictCompatible(jsonSchema) };
}
