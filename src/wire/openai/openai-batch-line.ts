import { ValidationError } from '../../errors/validation-error.js';
import {
  type BatchRequest,
  type ContentPart,
  type Message,
  type OpenAIBatchLine,
  openaiBatchLineSchema,
  type ToolCall,
} from '../../models/batch-request.js';
import { convertToOpenAIRequestBody } from './convert-to-openai-request-body.js';
import { openaiBatchEndpoints, type OpenAIBatchEndpoint } from './openai-body-conversion.js';

type Json = Record<string, unknown>;

/**
 * Converts an OpenAI batch input line `{ custom_id, method, url, body }` into a `BatchRequest`.
 *
 * Lossless: every body field with an exact `BatchRequest` equivalent becomes that field; every
 * other field (and any field whose value the equivalent cannot reproduce exactly, such as an image
 * `detail` or a `developer` message) is kept verbatim in `providerOptions.openai`, which is merged
 * last into the body. So `toOpenAIBatchLine(fromOpenAIBatchLine(line), { endpoint: line.url })`
 * gives back the same line. Messages kept that way are still summarised as text in `messages`
 * (for validation and token estimates).
 *
 * @param index 0-based position in the input, named in the `ValidationError` of a malformed line.
 * @throws ValidationError when the value is not an OpenAI batch input line.
 *
 * @example
 * const request = fromOpenAIBatchLine({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions',
 *   body: { model: 'gpt-5-mini', messages: [{ role: 'user', content: 'Hi' }] } });
 * // { id: 'a', model: 'gpt-5-mini', messages: [{ role: 'user', content: 'Hi' }] }
 */
export function fromOpenAIBatchLine(line: unknown, index = 0): BatchRequest {
  const parsed = openaiBatchLineSchema.safeParse(line);
  if (!parsed.success) {
    const id = typeof (line as Json | null)?.['custom_id'] === 'string' ? ((line as Json)['custom_id'] as string) : undefined;
    throw new ValidationError(
      parsed.error.issues.map((issue) => ({
        index,
        ...(id !== undefined ? { id } : {}),
        field: issue.path.join('.') || 'line',
        reason: issue.message,
      })),
      { subject: 'OpenAI batch line' },
    );
  }
  const { custom_id: id, url, body } = parsed.data;
  const endpoint = normaliseEndpoint(url);
  if (endpoint === undefined) {
    // An endpoint this library does not build bodies for: the whole body travels as is.
    return { id, ...modelOf(body), messages: summariseMessages(body), providerOptions: { openai: { ...body } } };
  }

  const required = endpoint === '/v1/chat/completions' ? 'messages' : endpoint === '/v1/responses' ? 'input' : undefined;
  if (required !== undefined && !(required in body)) {
    // The provider would reject the line hours later; say so now, before anything is sent.
    throw new ValidationError([{ index, id, field: `body.${required}`, reason: `required for ${endpoint}` }], {
      subject: 'OpenAI batch line',
    });
  }
  const request: BatchRequest = { id, ...modelOf(body), messages: [] };
  const extra: Json = {};
  const mapped = endpoint === '/v1/chat/completions' ? mapChatBody(body, request) : endpoint === '/v1/responses' ? mapResponsesBody(body, request) : new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'model' && !mapped.has(key)) extra[key] = value;
  }
  if (request.messages.length === 0) request.messages = summariseMessages(body);
  if (Object.keys(extra).length > 0) request.providerOptions = { openai: extra };

  // Check field by field that the way back gives the same value; keep any field that does not verbatim.
  const rebuilt = convertToOpenAIRequestBody(request, endpoint).body;
  const mismatched = Object.keys(body).filter((key) => !deepEqual(rebuilt[key], body[key]));
  const surplus = Object.keys(rebuilt).filter((key) => !(key in body));
  if (mismatched.length === 0 && surplus.length === 0) return request;
  const openai: Json = { ...request.providerOptions?.['openai'] };
  for (const key of mismatched) openai[key] = body[key];
  const fallback: BatchRequest = { ...request, providerOptions: { openai } };
  for (const key of [...mismatched, ...surplus]) dropRequestFieldFor(fallback, key, endpoint);
  if (mismatched.includes(endpoint === '/v1/responses' ? 'input' : 'messages')) fallback.messages = summariseMessages(body);
  return fallback;
}

/**
 * Converts a `BatchRequest` into an OpenAI batch input line for an endpoint. No model rules are
 * applied (the adapter does that when it submits), so the line is exactly what the request says.
 *
 * @example
 * toOpenAIBatchLine({ id: 'a', model: 'gpt-5-mini', messages: [{ role: 'user', content: 'Hi' }] }, { endpoint: '/v1/chat/completions' })
 */
export function toOpenAIBatchLine(request: BatchRequest, options: { endpoint?: string; model?: string } = {}): OpenAIBatchLine {
  const endpoint = options.endpoint ?? '/v1/chat/completions';
  const normalised = normaliseEndpoint(endpoint);
  if (normalised === undefined) {
    throw new TypeError(`toOpenAIBatchLine: option \`endpoint\` must be one of ${openaiBatchEndpoints.join(', ')}, got ${JSON.stringify(endpoint)}`);
  }
  const { body } = convertToOpenAIRequestBody(request, normalised, options.model === undefined ? {} : { model: options.model });
  return { custom_id: request.id, method: 'POST', url: endpoint, body };
}

function normaliseEndpoint(url: string): OpenAIBatchEndpoint | undefined {
  // Azure's older API versions write the path without the `/v1` prefix.
  const withPrefix = url.startsWith('/v1/') ? url : `/v1${url.startsWith('/') ? '' : '/'}${url}`;
  return (openaiBatchEndpoints as readonly string[]).includes(withPrefix) ? (withPrefix as OpenAIBatchEndpoint) : undefined;
}

function modelOf(body: Json): { model?: string } {
  return typeof body['model'] === 'string' && body['model'] !== '' ? { model: body['model'] } : {};
}

/** Maps the chat fields this library models; returns the keys it took. */
function mapChatBody(body: Json, request: BatchRequest): Set<string> {
  const taken = new Set<string>();
  const messages = Array.isArray(body['messages']) ? body['messages'].map(fromChatMessage) : undefined;
  if (messages !== undefined && messages.every((message) => message !== undefined) && messages.length > 0) {
    request.messages = messages as Message[];
    taken.add('messages');
  }
  if (isPositiveInteger(body['max_completion_tokens'])) {
    request.maxTokens = body['max_completion_tokens'];
    taken.add('max_completion_tokens');
  }
  takeSampling(body, request, taken);
  const stop = body['stop'];
  if (typeof stop === 'string' || (Array.isArray(stop) && stop.every((entry) => typeof entry === 'string'))) {
    request.stop = stop as string | string[];
    taken.add('stop');
  }
  if (Array.isArray(body['tools'])) {
    const tools = body['tools'].map((tool) => {
      const fn = asObject(asObject(tool)['function']);
      if (asObject(tool)['type'] !== 'function' || typeof fn['name'] !== 'string' || fn['name'] === '') return undefined;
      return {
        name: fn['name'],
        ...(typeof fn['description'] === 'string' ? { description: fn['description'] } : {}),
        ...(isObject(fn['parameters']) ? { parameters: fn['parameters'] } : {}),
      };
    });
    if (tools.every((tool) => tool !== undefined)) {
      request.tools = tools as NonNullable<BatchRequest['tools']>;
      taken.add('tools');
    }
  }
  const toolChoice = body['tool_choice'];
  if (toolChoice === 'auto' || toolChoice === 'none' || toolChoice === 'required') {
    request.toolChoice = toolChoice;
    taken.add('tool_choice');
  } else if (isObject(toolChoice) && typeof asObject(toolChoice['function'])['name'] === 'string') {
    request.toolChoice = { name: asObject(toolChoice['function'])['name'] as string };
    taken.add('tool_choice');
  }
  const format = asObject(body['response_format']);
  if (format['type'] === 'text' || format['type'] === 'json_object') {
    request.responseFormat = { type: format['type'] };
    taken.add('response_format');
  } else if (format['type'] === 'json_schema' && isObject(asObject(format['json_schema'])['schema'])) {
    const jsonSchema = asObject(format['json_schema']);
    request.responseFormat = {
      type: 'json_schema',
      schema: jsonSchema['schema'] as Record<string, unknown>,
      ...(typeof jsonSchema['name'] === 'string' ? { name: jsonSchema['name'] } : {}),
      ...(typeof jsonSchema['strict'] === 'boolean' ? { strict: jsonSchema['strict'] } : {}),
    };
    taken.add('response_format');
  }
  return taken;
}

function fromChatMessage(value: unknown): Message | undefined {
  const message = asObject(value);
  const role = message['role'];
  if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') return undefined;
  const content = fromChatContent(message['content'], role);
  if (content === undefined) return undefined;
  const result: Message = { role, content };
  if (typeof message['name'] === 'string') result.name = message['name'];
  if (role === 'tool' && typeof message['tool_call_id'] === 'string') result.toolCallId = message['tool_call_id'];
  if (role === 'assistant' && Array.isArray(message['tool_calls'])) {
    const calls = message['tool_calls'].map((call): ToolCall | undefined => {
      const fn = asObject(asObject(call)['function']);
      const id = asObject(call)['id'];
      if (typeof id !== 'string' || typeof fn['name'] !== 'string' || typeof fn['arguments'] !== 'string') return undefined;
      return { id, name: fn['name'], arguments: fn['arguments'] };
    });
    if (!calls.every((call) => call !== undefined)) return undefined;
    result.toolCalls = calls as ToolCall[];
  }
  return result;
}

function fromChatContent(content: unknown, role: string): string | ContentPart[] | undefined {
  if (typeof content === 'string') return content;
  if (content === null && role === 'assistant') return '';
  if (!Array.isArray(content)) return undefined;
  const parts = content.map((part): ContentPart | undefined => {
    const entry = asObject(part);
    if (entry['type'] === 'text' && typeof entry['text'] === 'string') return { type: 'text', text: entry['text'] };
    const image = asObject(entry['image_url']);
    if (entry['type'] === 'image_url' && typeof image['url'] === 'string') return { type: 'image', url: image['url'] };
    return undefined;
  });
  return parts.every((part) => part !== undefined) ? (parts as ContentPart[]) : undefined;
}

/** Maps the Responses fields this library models; returns the keys it took. */
function mapResponsesBody(body: Json, request: BatchRequest): Set<string> {
  const taken = new Set<string>();
  if (typeof body['instructions'] === 'string') {
    request.system = body['instructions'];
    taken.add('instructions');
  }
  const input = body['input'];
  if (Array.isArray(input)) {
    const messages = input.map((item) => {
      const entry = asObject(item);
      const role = entry['role'];
      if ((role === 'system' || role === 'user' || role === 'assistant') && typeof entry['content'] === 'string' && Object.keys(entry).length === 2) {
        return { role, content: entry['content'] } as Message;
      }
      return undefined;
    });
    if (messages.length > 0 && messages.every((message) => message !== undefined)) {
      request.messages = messages as Message[];
      taken.add('input');
    }
  }
  if (isPositiveInteger(body['max_output_tokens'])) {
    request.maxTokens = body['max_output_tokens'];
    taken.add('max_output_tokens');
  }
  takeSampling(body, request, taken);
  return taken;
}

function takeSampling(body: Json, request: BatchRequest, taken: Set<string>): void {
  const temperature = body['temperature'];
  if (typeof temperature === 'number' && temperature >= 0 && temperature <= 2) {
    request.temperature = temperature;
    taken.add('temperature');
  }
  const topP = body['top_p'];
  if (typeof topP === 'number' && topP >= 0 && topP <= 1) {
    request.topP = topP;
    taken.add('top_p');
  }
}

/** Undoes the mapping of one body key, after it proved not to round-trip. */
function dropRequestFieldFor(request: BatchRequest, key: string, endpoint: OpenAIBatchEndpoint): void {
  const fields: Record<string, (keyof BatchRequest)[]> = {
    max_completion_tokens: ['maxTokens'],
    max_output_tokens: ['maxTokens'],
    temperature: ['temperature'],
    top_p: ['topP'],
    stop: ['stop'],
    tools: ['tools'],
    tool_choice: ['toolChoice'],
    response_format: ['responseFormat'],
    text: ['responseFormat'],
    instructions: ['system'],
    // System messages are hoisted when rebuilt; the verbatim copy in providerOptions wins anyway.
    messages: endpoint === '/v1/chat/completions' ? ['system'] : [],
  };
  for (const field of fields[key] ?? []) delete (request as Partial<BatchRequest>)[field];
}

/** A text-only view of a body's conversation, for validation and token estimates. */
function summariseMessages(body: Json): Message[] {
  const source = Array.isArray(body['messages']) ? body['messages'] : Array.isArray(body['input']) ? body['input'] : undefined;
  if (source !== undefined) {
    const messages = source.map((item): Message => {
      const entry = asObject(item);
      const role = entry['role'];
      return { role: role === 'system' || role === 'assistant' || role === 'tool' ? role : 'user', content: textOf(entry['content'] ?? entry['output'] ?? '') };
    });
    if (messages.length > 0) return messages;
  }
  const input = body['input'] ?? body['prompt'] ?? '';
  return [{ role: 'user', content: typeof input === 'string' ? input : JSON.stringify(input) }];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === null ? '' : JSON.stringify(content);
  return content.map((part) => (typeof asObject(part)['text'] === 'string' ? (asObject(part)['text'] as string) : '')).join('');
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((entry, position) => deepEqual(entry, right[position]));
  }
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  return leftKeys.length === rightKeys.length && leftKeys.every((key) => Object.hasOwn(right, key) && deepEqual((left as Json)[key], (right as Json)[key]));
}
