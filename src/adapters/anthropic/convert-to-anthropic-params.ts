import type Anthropic from '@anthropic-ai/sdk';
import type { BatchRequest, ContentPart, Message, ToolChoice } from '../../models/batch-request.js';

type MessageParam = Anthropic.MessageParam;
type ContentBlockParam = Anthropic.ContentBlockParam;

/**
 * The Messages create body of one request (what a batch line carries as `params`). The sampling
 * fields are listed explicitly because recent SDK types dropped them while the API still takes them
 * for the models that support them.
 */
export type AnthropicMessageParams = Anthropic.MessageCreateParamsNonStreaming & {
  temperature?: number;
  top_p?: number;
};

/** Options of {@link convertToAnthropicParams}. */
export interface ConvertToAnthropicParamsOptions {
  /** `max_tokens` for requests without `maxTokens` (Anthropic requires it). */
  readonly defaultMaxTokens: number;
  /** The model for requests without one (the part's model). */
  readonly model?: string;
}

/** The converted body, and whether the default `max_tokens` had to be used. */
export interface ConvertedAnthropicParams {
  readonly params: AnthropicMessageParams;
  readonly usedDefaultMaxTokens: boolean;
}

/**
 * Translates a provider-neutral request into an Anthropic Messages body: system messages are lifted
 * into `system`, tool messages become `tool_result` blocks of a user turn, consecutive turns of the
 * same role are merged (Anthropic expects every tool result of a turn in one user message), and
 * `providerOptions.anthropic` is merged last so it can override anything.
 */
export function convertToAnthropicParams(
  request: BatchRequest,
  options: ConvertToAnthropicParamsOptions,
): ConvertedAnthropicParams {
  const model = request.model ?? options.model;
  if (model === undefined) {
    throw new TypeError(`Request \`${request.id}\` has no model: set \`model\` on the request or in the submit options`);
  }

  const systemTexts: string[] = request.system === undefined ? [] : [request.system];
  const messages: MessageParam[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      systemTexts.push(contentToText(message.content));
      continue;
    }
    appendTurn(messages, convertMessage(request.id, message));
  }

  const maxTokens = requestedMaxTokens(request);
  const usedDefaultMaxTokens = maxTokens === undefined;
  const params: AnthropicMessageParams = {
    model,
    max_tokens: maxTokens ?? options.defaultMaxTokens,
    messages,
  };
  if (systemTexts.length > 0) params.system = systemTexts.join('\n\n');
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.stop !== undefined) params.stop_sequences = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
  if (request.tools !== undefined && request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: (tool.parameters ?? { type: 'object', properties: {} }) as Anthropic.Tool.InputSchema,
    }));
  }
  if (request.toolChoice !== undefined) params.tool_choice = convertToolChoice(request.toolChoice);
  if (request.responseFormat?.type === 'json_schema') {
    params.output_config = { format: { type: 'json_schema', schema: request.responseFormat.schema } };
  }

  const overrides = request.providerOptions?.anthropic;
  return {
    params: overrides === undefined ? params : ({ ...params, ...overrides } as AnthropicMessageParams),
    usedDefaultMaxTokens,
  };
}

/**
 * The `max_tokens` that {@link convertToAnthropicParams} sends for a request, without converting
 * the messages: `providerOptions.anthropic.max_tokens` (merged last), else `maxTokens`, else the
 * legacy `max_tokens` of an OpenAI batch line, else `defaultMaxTokens`. The most output the call can
 * be billed for, which a budget books before the call.
 *
 * @example
 * resolveAnthropicMaxTokens({ id: 'a', messages: [] }, 4096) // 4096
 */
export function resolveAnthropicMaxTokens(request: BatchRequest, defaultMaxTokens: number): number {
  const override = request.providerOptions?.anthropic?.['max_tokens'];
  if (typeof override === 'number') return override;
  return requestedMaxTokens(request) ?? defaultMaxTokens;
}

function requestedMaxTokens(request: BatchRequest): number | undefined {
  return request.maxTokens ?? openaiLegacyMaxTokens(request);
}

/**
 * An OpenAI batch line with the legacy `max_tokens` keeps it verbatim in `providerOptions.openai`
 * (so it converts back unchanged); it is still the limit the user asked for.
 */
function openaiLegacyMaxTokens(request: BatchRequest): number | undefined {
  const value = request.providerOptions?.openai?.['max_tokens'];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function convertToolChoice(choice: ToolChoice): Anthropic.ToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.name };
}

function convertMessage(requestId: string, message: Message): MessageParam {
  if (message.role === 'tool') {
    if (message.toolCallId === undefined) {
      throw new TypeError(`Request \`${requestId}\`: a \`tool\` message needs \`toolCallId\``);
    }
    return {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: message.toolCallId, content: contentToText(message.content) }],
    };
  }
  const blocks = convertContent(message.content);
  if (message.role === 'assistant' && message.toolCalls !== undefined) {
    for (const call of message.toolCalls) {
      blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseToolArguments(requestId, call.arguments) });
    }
  }
  return { role: message.role === 'assistant' ? 'assistant' : 'user', content: blocks };
}

function parseToolArguments(requestId: string, text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError(`Request \`${requestId}\`: tool call arguments are not valid JSON: ${text.slice(0, 80)}`);
  }
  // Anthropic's tool_use.input must be an object; wrap anything else rather than lose it.
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

function convertContent(content: string | ContentPart[]): ContentBlockParam[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.map((part): ContentBlockParam => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    return { type: 'image', source: convertImageSource(part) };
  });
}

const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

function convertImageSource(part: Extract<ContentPart, { type: 'image' }>): Anthropic.ImageBlockParam['source'] {
  if (part.data !== undefined) {
    return { type: 'base64', media_type: (part.mediaType ?? 'image/png') as Anthropic.Base64ImageSource['media_type'], data: part.data };
  }
  const url = part.url ?? '';
  const match = dataUrlPattern.exec(url);
  if (match) {
    return { type: 'base64', media_type: match[1] as Anthropic.Base64ImageSource['media_type'], data: match[2] ?? '' };
  }
  return { type: 'url', url };
}

function contentToText(content: string | ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

function appendTurn(messages: MessageParam[], turn: MessageParam): void {
  const previous = messages.at(-1);
  if (previous !== undefined && previous.role === turn.role) {
    previous.content = [...toBlocks(previous.content), ...toBlocks(turn.content)];
    return;
  }
  messages.push(turn);
}

function toBlocks(content: MessageParam['content']): ContentBlockParam[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : [...(content as ContentBlockParam[])];
}
