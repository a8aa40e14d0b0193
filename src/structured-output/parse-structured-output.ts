import type { BatchResult } from '../models/batch-result.js';
import { isZodSchema, type StructuredOutputSchema } from './structured-output-schema.js';
import { validateJsonSchema, type JsonSchema } from './validate-json-schema.js';

/** Parses a model's answer and checks it against a schema. */
export type OutputValidator = (value: unknown) => { success: true; output: unknown } | { success: false; problems: string[] };

/** A validator for a zod schema (its parse result, transforms applied) or a JSON schema. */
export function createOutputValidator(schema: StructuredOutputSchema): OutputValidator {
  if (isZodSchema(schema)) {
    return (value) => {
      const parsed = schema.safeParse(value);
      if (parsed.success) return { success: true, output: parsed.data };
      return {
        success: false,
        problems: parsed.error.issues.map((issue) => `${issue.path.length === 0 ? '(root)' : `/${issue.path.map(String).join('/')}`}: ${issue.message}`),
      };
    };
  }
  const jsonSchema = schema as JsonSchema;
  return (value) => {
    const problems = validateJsonSchema(value, jsonSchema);
    return problems.length === 0 ? { success: true, output: value } : { success: false, problems };
  };
}

/**
 * Parses and validates the text of a succeeded result: valid JSON that fits the schema sets
 * `output`; anything else turns the result into `failed` with category `validation` (retryable:
 * the model may well answer correctly next time), keeping its usage (it was billed) and the text
 * in `raw`. Other results pass through unchanged.
 */
export function parseStructuredOutput<T = unknown>(result: BatchResult, validate: OutputValidator): BatchResult<T> {
  if (result.status !== 'succeeded') return result;
  let value: unknown;
  try {
    value = JSON.parse(stripFence(result.text));
  } catch (error) {
    return invalid(result, `The answer is not valid JSON: ${(error as Error).message}`);
  }
  const checked = validate(value);
  if (!checked.success) {
    const shown = checked.problems.slice(0, 5).join('; ');
    const more = checked.problems.length > 5 ? ` (and ${checked.problems.length - 5} more)` : '';
    return invalid(result, `The answer does not match the schema: ${shown}${more}`);
  }
  return { ...result, output: checked.output as T };
}

// Models asked for JSON without a native format sometimes wrap it in a Markdown code fence.
function stripFence(text: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return match ? (match[1] ?? '') : text;
}

function invalid<T>(result: Extract<BatchResult, { status: 'succeeded' }>, message: string): BatchResult<T> {
  return {
    id: result.id,
    status: 'failed',
    error: { category: 'validation', message, retryable: true },
    usage: result.usage,
    ...(result.attempts === undefined ? {} : { attempts: result.attempts }),
    ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
    ...(result.metadata === undefined ? {} : { metadata: result.metadata }),
    raw: { text: result.text, model: result.model, finishReason: result.finishReason, ...(result.raw === undefined ? {} : { response: result.raw }) },
  };
}
