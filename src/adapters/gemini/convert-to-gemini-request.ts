import { ValidationError, type ValidationIssue } from '../../errors/validation-error.js';
import type { BatchRequest, ContentPart, Message, ToolChoice, ToolCall } from '../../models/batch-request.js';
import type { GeminiContent, GeminiGenerateContentRequest, GeminiGenerationConfig, GeminiPart } from './gemini-request.js';

/** Options of {@link convertToGeminiRequest}. */
export interface ConvertToGeminiRequestOptions {
  /** `cachedContents/{id}`: the context cache every request builds on. */
  readonly cachedContent?: string;
}

/** Gemini takes at most this many stop sequences. */
const maxStopSequences = 5;

// Fields of an OpenAI batch line (kept in `providerOptions.openai`) that Gemini has a place for.
const openaiGenerationFields: Readonly<Record<string, keyof GeminiGenerationConfig>> = {
  max_tokens: 'maxOutputTokens',
  seed: 'seed',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
};
// Fields that only steer OpenAI's own bookkeeping: nothing to send, nothing lost in the answer.
const openaiIgnoredFields = new Set(['user', 'metadata', 'store', 'parallel_tool_calls', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'stream_options']);

const imageTypesByExtension: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  gif: 'image/gif',
};
const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

/**
 * Translates a provider-neutral request into a Gemini `GenerateContentRequest`: system text (and
 * `system` messages) into `systemInstruction`, `assistant` turns as `model` turns, tool calls as
 * `functionCall` parts and tool messages as `functionResponse` parts (named after the call they
 * answer), images as `inlineData` (base64, data URLs) or `fileData` (other URLs), tools as
 * `functionDeclarations` with their JSON schema, `toolChoice` as `functionCallingConfig`, a JSON
 * schema as `responseJsonSchema`, and temperature, top-p, max tokens and stop sequences in
 * `generationConfig`. Fields of an OpenAI batch line kept in `providerOptions.openai` are carried
 * where Gemini has a place for them (`max_tokens`, `seed`, penalties; `messages` the line kept
 * verbatim). `providerOptions.gemini` is merged last (its `generationConfig` key by key).
 *
 * @throws ValidationError naming every field Gemini cannot express (more than 5 stop sequences,
 * `n` above 1, a tool message answering no known call, an image URL of unknown type ...).
 *
 * @example
 * convertToGeminiRequest({ id: 'a', system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 })
 * // { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], systemInstruction: { parts: [{ text: 'Be brief.' }] },
 * //   generationConfig: { maxOutputTokens: 64 } }
 */
export function convertToGeminiRequest(request: BatchRequest, options: ConvertToGeminiRequestOptions = {}): GeminiGenerateContentRequest {
  const issues: ValidationIssue[] = [];
  const fail = (field: string, reason: string): void => {
    issues.push({ index: 0, id: request.id, field, reason });
  };
  const openai = { ...request.providerOptions?.['openai'] };
  const generationConfig: GeminiGenerationConfig = {};

  let messages = request.messages;
  if (openai['messages'] !== undefined) {
    // The line's messages did not fit a BatchRequest exactly (a `developer` turn, an image `detail`):
    // the verbatim ones say more than the text summary in `messages`.
    const converted = fromOpenAIMessages(openai['messages']);
    if (converted === undefined) fail('providerOptions.openai.messages', 'Gemini cannot express these OpenAI messages (only text, image_url and tool calls are carried)');
    else messages = converted;
    delete openai['messages'];
  }

  const systemTexts: string[] = request.system === undefined ? [] : [request.system];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  messages.forEach((message, index) => {
    if (message.role === 'system') {
      systemTexts.push(contentToText(message.content));
      return;
    }
    const turn = convertMessage(message, `messages.${index}`, toolNames, fail);
    if (turn === undefined) return;
    const previous = contents.at(-1);
    // Gemini wants turns to alternate; consecutive turns of one role become one.
    if (previous !== undefined && previous.role === turn.role) previous.parts.push(...turn.parts);
    else contents.push(turn);
  });
  if (contents.length === 0) fail('messages', 'Gemini needs at least one user or assistant message (system text alone is not a request)');

  if (request.maxTokens !== undefined) generationConfig.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.topP !== undefined) generationConfig.topP = request.topP;
  if (request.stop !== undefined) {
    const stops = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
    if (stops.length > maxStopSequences) fail('stop', `Gemini takes at most ${maxStopSequences} stop sequences, got ${stops.length}`);
    else generationConfig.stopSequences = stops;
  }
  if (request.responseFormat?.type === 'json_object') generationConfig.responseMimeType = 'application/json';
  if (request.responseFormat?.type === 'json_schema') {
    generationConfig.responseMimeType = 'application/json';
    generationConfig.responseJsonSchema = request.responseFormat.schema;
  }

  for (const [key, value] of Object.entries(openai)) {
    const target = openaiGenerationFields[key];
    if (target !== undefined) {
      // `max_tokens` is the limit the user asked for; an explicit `maxTokens` wins.
      if (!(target === 'maxOutputTokens' && generationConfig.maxOutputTokens !== undefined)) generationConfig[target] = value;
      continue;
    }
    if (openaiIgnoredFields.has(key)) continue;
    if (key === 'n' && (value === 1 || value === null)) continue;
    fail(`providerOptions.openai.${key}`, `Gemini has no equivalent of the OpenAI parameter \`${key}\`; remove it or put a Gemini field in providerOptions.gemini`);
  }

  const body: GeminiGenerateContentRequest = { contents };
  if (systemTexts.length > 0) body.systemInstruction = { parts: [{ text: systemTexts.join('\n\n') }] };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          ...(tool.parameters === undefined ? {} : { parametersJsonSchema: tool.parameters }),
        })),
      },
    ];
  }
  if (request.toolChoice !== undefined) {
    if (typeof request.toolChoice === 'object' && !request.tools?.some((tool) => tool.name === (request.toolChoice as { name: string }).name)) {
      fail('toolChoice', `names a tool the request does not declare: ${request.toolChoice.name}`);
    }
    body.toolConfig = { functionCallingConfig: convertToolChoice(request.toolChoice) };
  }
  if (options.cachedContent !== undefined) {
    // Gemini refuses a request that sets any of these beside a cache: they belong in the cache.
    if (systemTexts.length > 0) fail('system', 'a request that uses a context cache cannot set a system instruction: put it in the cache (`cache.systemInstruction`)');
    if (body.tools !== undefined) fail('tools', 'a request that uses a context cache cannot declare tools');
    if (body.toolConfig !== undefined) fail('toolChoice', 'a request that uses a context cache cannot set toolChoice');
    body.cachedContent = options.cachedContent;
  }

  const overrides = request.providerOptions?.['gemini'];
  if (overrides !== undefined) {
    const { generationConfig: extraConfig, ...rest } = overrides as { generationConfig?: unknown } & Record<string, unknown>;
    Object.assign(body, rest);
    if (typeof extraConfig === 'object' && extraConfig !== null) Object.assign(generationConfig, extraConfig);
  }
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  if (issues.length > 0) throw new ValidationError(issues);
  return body;
}

/**
 * The most output tokens a request lets the model write: `providerOptions.gemini.generationConfig.maxOutputTokens`
 * (merged last), else `maxTokens`, else an OpenAI line's legacy `max_tokens`; undefined when nothing caps it.
 */
export function resolveGeminiMaxOutputTokens(request: BatchRequest): number | undefined {
  const override = (request.providerOptions?.['gemini']?.['generationConfig'] as { maxOutputTokens?: unknown } | undefined)?.maxOutputTokens;
  if (typeof override === 'number') return override;
  if (request.maxTokens !== undefined) return request.maxTokens;
  const legacy = request.providerOptions?.['openai']?.['max_tokens'];
  return typeof legacy === 'number' && Number.isInteger(legacy) && legacy > 0 ? legacy : undefined;
}

function convertToolChoice(choice: ToolChoice): { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'required') return { mode: 'ANY' };
  if (choice === 'none') return { mode: 'NONE' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

function convertMessage(
  message: Message,
  field: string,
  toolNames: Map<string, string>,
  fail: (field: string, reason: string) => void,
): GeminiContent | undefined {
  if (message.role === 'tool') {
    const name = (message.toolCallId === undefined ? undefined : toolNames.get(message.toolCallId)) ?? message.name;
    if (name === undefined) {
      // Gemini matches a function response to its call by the function's name.
      fail(`${field}.toolCallId`, 'a tool message must answer a tool call of an earlier assistant message (or carry `name`)');
      return undefined;
    }
    const text = contentToText(message.content);
    return {
      role: 'user',
      parts: [{ functionResponse: { ...(message.toolCallId === undefined ? {} : { id: message.toolCallId }), name, response: toolResponse(text) } }],
    };
  }
  const parts = convertContent(message.content, field, fail);
  if (message.role === 'assistant' && message.toolCalls !== undefined) {
    message.toolCalls.forEach((call, index) => {
      toolNames.set(call.id, call.name);
      const args = parseArguments(call, `${field}.toolCalls.${index}.arguments`, fail);
      parts.push({ functionCall: { ...(call.id === '' ? {} : { id: call.id }), name: call.name, args } });
    });
  }
  if (parts.length === 0) return undefined;
  return { role: message.role === 'assistant' ? 'model' : 'user', parts };
}

/** A function's answer must be an object: JSON objects go as they are, anything else under `output`. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Plain text: wrapped below.
  }
  return { output: text };
}

function parseArguments(call: ToolCall, field: string, fail: (field: string, reason: string) => void): Record<string, unknown> {
  if (call.arguments.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(call.arguments);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    fail(field, 'Gemini function call arguments must be a JSON object');
  } catch {
    fail(field, 'not valid JSON');
  }
  return {};
}

function convertContent(content: string | ContentPart[], field: string, fail: (field: string, reason: string) => void): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const parts: GeminiPart[] = [];
  content.forEach((part, index) => {
    if (part.type === 'text') {
      parts.push({ text: part.text });
      return;
    }
    const converted = convertImage(part);
    if (typeof converted === 'string') fail(`${field}.content.${index}`, converted);
    else parts.push(converted);
  });
  return parts;
}

function convertImage(part: Extract<ContentPart, { type: 'image' }>): GeminiPart | string {
  if (part.data !== undefined) return { inlineData: { mimeType: part.mediaType ?? 'image/png', data: part.data } };
  const url = part.url ?? '';
  const match = dataUrlPattern.exec(url);
  if (match) return { inlineData: { mimeType: match[1] ?? 'image/png', data: match[2] ?? '' } };
  if (url === '') return 'an image needs `url` or `data`';
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  const mimeType = part.mediaType ?? (extension === undefined ? undefined : imageTypesByExtension[extension]);
  if (mimeType === undefined) return 'Gemini needs the media type of an image URL: set `mediaType`';
  return { fileData: { mimeType, fileUri: url } };
}

function contentToText(content: string | ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

/** OpenAI chat messages kept verbatim by `fromOpenAIBatchLine`, read leniently (`developer` is a system turn). */
function fromOpenAIMessages(value: unknown): Message[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const messages: Message[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const raw = entry as Record<string, unknown>;
    const role = raw['role'] === 'developer' ? 'system' : raw['role'];
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') return undefined;
    const content = fromOpenAIContent(raw['content']);
    if (content === undefined) return undefined;
    const message: Message = { role, content };
    if (typeof raw['name'] === 'string') message.name = raw['name'];
    if (typeof raw['tool_call_id'] === 'string') message.toolCallId = raw['tool_call_id'];
    if (Array.isArray(raw['tool_calls'])) {
      const calls: ToolCall[] = [];
      for (const call of raw['tool_calls'] as Array<Record<string, unknown>>) {
        const fn = (call?.['function'] ?? {}) as Record<string, unknown>;
        if (typeof call?.['id'] !== 'string' || typeof fn['name'] !== 'string') return undefined;
        calls.push({ id: call['id'], name: fn['name'], arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : '{}' });
      }
      message.toolCalls = calls;
    }
    messages.push(message);
  }
  return messages;
}

function fromOpenAIContent(content: unknown): string | ContentPart[] | undefined {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) return undefined;
  const parts: ContentPart[] = [];
  for (const part of content as Array<Record<string, unknown>>) {
    if (part?.['type'] === 'text' && typeof part['text'] === 'string') parts.push({ type: 'text', text: part['text'] });
    else if (part?.['type'] === 'image_url' && typeof (part['image_url'] as { url?: unknown } | undefined)?.url === 'string') {
      parts.push({ type: 'image', url: (part['image_url'] as { url: string }).url });
    } else return undefined;
  }
  return parts;
}
