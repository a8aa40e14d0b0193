import { toolDefinitionSchema, type BatchRequest, type ToolDefinition } from '../models/batch-request.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { StructuredOutputSchema } from '../structured-output/structured-output-schema.js';
import { checkNumberOption, checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';

/**
 * What every request of a client gets unless it sets it itself (`createBatchClient({ defaults })`).
 * The defaults are applied while the job is planned, so the preview, the estimate and the stored
 * requests all show them.
 *
 * @example
 * const client = createBatchClient({
 *   provider: 'openai',
 *   defaults: { model: 'gpt-5.4-mini', system: 'Answer in one word.', temperature: 0, maxTokens: 64 },
 * });
 */
export interface RequestDefaults {
  /** The model of requests that name none (a submit's `model` option wins over it). */
  readonly model?: string;
  /** The system prompt of requests that have neither `system` nor a system message. */
  readonly system?: string;
  /** From 0 to 2. */
  readonly temperature?: number;
  /** The most output tokens of requests that set no `maxTokens`. */
  readonly maxTokens?: number;
  /** The tools of requests that list none. */
  readonly tools?: readonly ToolDefinition[];
  /** Structured output for jobs whose submit gives no `schema`. */
  readonly schema?: StructuredOutputSchema;
}

/** The known keys of `defaults`. */
export const requestDefaultsKeys = optionNames<RequestDefaults>({ model: true, system: true, temperature: true, maxTokens: true, tools: true, schema: true });

/** Checks `createBatchClient({ defaults })` before anything runs; a `ValidationError` names the bad key. */
export function validateRequestDefaults(where: string, defaults: RequestDefaults | undefined): void {
  if (defaults === undefined) return;
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) failOption(where, 'defaults', 'an object', defaults);
  // Nested, so that an unknown key is named `defaults.<key>` with the closest known name.
  checkOptionKeys(where, { defaults }, ['defaults'], { nested: { defaults: { known: requestDefaultsKeys } } });
  for (const name of ['model', 'system'] as const) {
    const value: unknown = defaults[name];
    if (value !== undefined && (typeof value !== 'string' || (name === 'model' && value === ''))) {
      failOption(where, `defaults.${name}`, name === 'model' ? 'a non-empty string' : 'a string', value);
    }
  }
  checkNumberOption(where, 'defaults.temperature', defaults.temperature, { min: 0, max: 2 });
  checkNumberOption(where, 'defaults.maxTokens', defaults.maxTokens, { min: 1, max: 10_000_000, integer: true });
  if (defaults.tools !== undefined) {
    if (!Array.isArray(defaults.tools)) failOption(where, 'defaults.tools', 'an array of tools { name, description?, parameters? }', defaults.tools);
    defaults.tools.forEach((tool, position) => {
      if (!toolDefinitionSchema.safeParse(tool).success) failOption(where, `defaults.tools.${position}`, 'a tool { name, description?, parameters? }', tool);
    });
  }
  const schema: unknown = defaults.schema;
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    failOption(where, 'defaults.schema', 'a zod schema or a JSON schema object', schema);
  }
}

/**
 * The submit (or estimate) options with the client's defaults filled in: the model (then the
 * adapter's own default model, such as a call strategy's `model` option) and the schema.
 */
export function withDefaultOptions<O extends { readonly model?: string; readonly schema?: StructuredOutputSchema }>(
  options: O,
  defaults: RequestDefaults | undefined,
  provider: BatchProvider,
): O {
  const model = options.model ?? defaults?.model ?? provider.defaultModel;
  const schema = options.schema ?? defaults?.schema;
  return {
    ...options,
    ...(model === undefined ? {} : { model }),
    ...(schema === undefined ? {} : { schema }),
  };
}

/** The request with the per-request defaults (system, temperature, maxTokens, tools) where it sets none. */
export function applyRequestDefaults(request: BatchRequest, defaults: RequestDefaults | undefined): BatchRequest {
  if (defaults === undefined) return request;
  const { system, temperature, maxTokens, tools } = defaults;
  const hasSystem = request.system !== undefined || request.messages.some((message) => message.role === 'system');
  return {
    ...request,
    ...(system === undefined || hasSystem ? {} : { system }),
    ...(temperature === undefined || request.temperature !== undefined ? {} : { temperature }),
    ...(maxTokens === undefined || request.maxTokens !== undefined ? {} : { maxTokens }),
    ...(tools === undefined || request.tools !== undefined ? {} : { tools: tools.map((tool) => ({ ...tool })) }),
  };
}
