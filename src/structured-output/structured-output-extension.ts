import type { ClientExtension } from '../extension/client-extension.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchRequest, ResponseFormat } from '../models/batch-request.js';
import { createOutputValidator, parseStructuredOutput, type OutputValidator } from './parse-structured-output.js';
import { toResponseFormat, type StructuredOutputSchema } from './structured-output-schema.js';

/** The submit options this extension reads. */
export interface StructuredOutputOptions {
  /** A zod schema or a JSON schema: every request asks for it, every answer is validated against it. */
  readonly schema?: StructuredOutputSchema;
  /** The schema's name sent to the provider. @default 'response' */
  readonly schemaName?: string;
  /** Strict schema adherence (OpenAI). @default true when the schema allows it */
  readonly strict?: boolean;
}

// Validators by live job object: a zod schema (with its transforms and refinements) is only known
// in the process that submitted; a job loaded from the store falls back to its stored JSON schema.
const validators = new WeakMap<JobManifest, OutputValidator>();

/** The response format the `schema` option asks for, or undefined without one. Throws a TypeError on a bad option. */
export function responseFormatFromOptions(options: Readonly<Record<string, unknown>>): ResponseFormat | undefined {
  const { schema } = options as StructuredOutputOptions;
  if (schema === undefined) return undefined;
  const name = options['schemaName'];
  const strict = options['strict'];
  if (name !== undefined && typeof name !== 'string') throw new TypeError(`submit: option "schemaName" must be a string, got ${JSON.stringify(name)}`);
  return toResponseFormat(schema, {
    ...(name === undefined ? {} : { name }),
    ...(strict === undefined ? {} : { strict: strict as boolean }),
  });
}

/** Structured output: the `schema` submit option becomes every request's `responseFormat`, and every answer is parsed and validated. */
export const structuredOutputExtension: ClientExtension = {
  transformRequest(options) {
    const format = responseFormatFromOptions(options);
    if (!format) return undefined;
    return (request: BatchRequest) => ({ ...request, responseFormat: format });
  },

  beforeSubmit({ job, options }) {
    const format = responseFormatFromOptions(options);
    if (!format || format.type !== 'json_schema') return;
    job.options = { ...job.options, jsonSchema: format.schema };
    validators.set(job, createOutputValidator((options as StructuredOutputOptions).schema!));
  },

  prepareResult(result, job) {
    if (result.status !== 'succeeded') return result;
    let validate = validators.get(job);
    if (!validate) {
      const stored = job.options?.jsonSchema;
      if (!stored) return result;
      validate = createOutputValidator(stored);
      validators.set(job, validate);
    }
    return parseStructuredOutput(result, validate);
  },
};
