import { z } from 'zod';

/** The id rule shared by every provider (Anthropic's, the strictest). */
export const requestIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });
export const imagePartSchema = z.strictObject({
  type: z.literal('image'),
  /** An https or data URL. */
  url: z.string().optional(),
  /** Base64 data, with `mediaType`. */
  data: z.string().optional(),
  mediaType: z.string().optional(),
});
export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema]);
export type ContentPart = z.infer<typeof contentPartSchema>;

/** A tool call made by the model. `arguments` is the JSON text the model produced. */
export const toolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
  /** On results: what the emulated adapter's local tool returned for this call (the execution history). */
  output: z.string().optional(),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

export const messageRoles = ['system', 'user', 'assistant', 'tool'] as const;

export const messageSchema = z.strictObject({
  role: z.enum(messageRoles),
  content: z.union([z.string(), z.array(contentPartSchema)]),
  name: z.string().optional(),
  /** For `role: 'tool'`: the id of the tool call this message answers. */
  toolCallId: z.string().optional(),
  /** For `role: 'assistant'`: tool calls the model made earlier in the conversation. */
  toolCalls: z.array(toolCallSchema).optional(),
});
export type Message = z.infer<typeof messageSchema>;

/** A tool the model may call. `parameters` is a JSON schema. */
export const toolDefinitionSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

export const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.strictObject({ name: z.string() }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().optional(),
  }),
]);
export type ResponseFormat = z.infer<typeof responseFormatSchema>;

/**
 * One request of a batch, provider-neutral. `id` correlates the result; it must be unique in a job.
 * `providerOptions.openai` / `providerOptions.anthropic` are merged last into the provider body.
 */
export const batchRequestSchema = z.strictObject({
  id: z.string().regex(requestIdPattern, 'must match ^[A-Za-z0-9_-]{1,64}$'),
  model: z.string().min(1).optional(),
  messages: z.array(messageSchema).min(1, 'must contain at least one message'),
  system: z.string().optional(),
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  tools: z.array(toolDefinitionSchema).optional(),
  toolChoice: toolChoiceSchema.optional(),
  responseFormat: responseFormatSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  providerOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

export type BatchRequest = z.infer<typeof batchRequestSchema>;
/** What users may write: a `BatchRequest`, an OpenAI batch input line, or a plain prompt. */
export type BatchRequestInput = BatchRequest | OpenAIBatchLine | PlainPrompt;

/**
 * A request written as a plain prompt: a string, or `{ prompt, system?, metadata? }`. Its id is
 * made from its position in the input (`prompt_0`, `prompt_1` ...), the same on every read of the
 * stored job, and its model comes from the `model` option or the client's defaults.
 */
export type PlainPrompt = string | PromptObject;

/** A plain prompt with a system prompt or per-item context. */
export interface PromptObject {
  readonly prompt: string;
  readonly system?: string;
  /** Any JSON: comes back on the result (never sent to the provider). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** An OpenAI batch input line: `{ custom_id, method, url, body }`. */
export const openaiBatchLineSchema = z.object({
  custom_id: z.string(),
  method: z.literal('POST'),
  url: z.string(),
  body: z.record(z.string(), z.unknown()),
});
export type OpenAIBatchLine = z.infer<typeof openaiBatchLineSchema>;

/** True when a value looks like an OpenAI batch input line rather than a `BatchRequest`. */
export function isOpenAIBatchLine(value: unknown): value is OpenAIBatchLine {
  return typeof value === 'object' && value !== null && 'custom_id' in value && 'body' in value;
}
