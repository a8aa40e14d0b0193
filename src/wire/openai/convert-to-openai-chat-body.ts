import type { BatchRequest, ContentPart, Message, ResponseFormat, ToolChoice, ToolDefinition } from '../../models/batch-request.js';
import type { OpenAIBodyConversion } from './openai-body-conversion.js';

/**
 * Builds a Chat Completions body from a `BatchRequest`. Pure: no model rules, no warnings;
 * `providerOptions.openai` is merged last so it can set or override any field.
 */
export function convertToOpenAIChatBody(request: BatchRequest, options: { model?: string } = {}): OpenAIBodyConversion {
  const body: Record<string, unknown> = {};
  const model = request.model ?? options.model;
  if (model !== undefined) body['model'] = model;
  body['messages'] = convertMessages(request);
  if (request.maxTokens !== undefined) body['max_completion_tokens'] = request.maxTokens;
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.topP !== undefined) body['top_p'] = request.topP;
  if (request.stop !== undefined) body['stop'] = request.stop;
  if (request.tools !== undefined) body['tools'] = request.tools.map(convertTool);
  if (request.toolChoice !== undefined) body['tool_choice'] = convertToolChoice(request.toolChoice);
  if (request.responseFormat !== undefined) body['response_format'] = convertResponseFormat(request.responseFormat);
  Object.assign(body, request.providerOptions?.['openai']);
  return { body, dropped: [] };
}

function convertMessages(request: BatchRequest): Record<string, unknown>[] {
  // System text goes first whatever its position in the input: some OpenAI-compatible servers
  // reject a system message after the conversation has started.
  const system: Record<string, unknown>[] = [];
  const rest: Record<string, unknown>[] = [];
  if (request.system !== undefined) system.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    (message.role === 'system' ? system : rest).push(convertMessage(message));
  }
  return [...system, ...rest];
}

function convertMessage(message: Message): Record<string, unknown> {
  const converted: Record<string, unknown> = { role: message.role };
  const hasToolCalls = message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0;
  // An assistant turn that only calls tools has `content: null` on the wire.
  converted['content'] = hasToolCalls && message.content === '' ? null : convertContent(message.content);
  if (message.name !== undefined) converted['name'] = message.name;
  if (message.role === 'tool' && message.toolCallId !== undefined) converted['tool_call_id'] = message.toolCallId;
  if (message.role === 'assistant' && message.toolCalls !== undefined) {
    converted['tool_calls'] = message.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return converted;
}

function convertContent(content: string | ContentPart[]): unknown {
  if (typeof content === 'string') return content;
  return content.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    return { type: 'image_url', image_url: { url: imageUrl(part) } };
  });
}

/** An image part as a URL: its own URL, or a data URL built from base64 data. */
export function imageUrl(part: Extract<ContentPart, { type: 'image' }>): string {
  if (part.url !== undefined) return part.url;
  return `data:${part.mediaType ?? 'image/png'};base64,${part.data ?? ''}`;
}

function convertTool(tool: ToolDefinition): Record<string, unknown> {
  const definition: Record<string, unknown> = { name: tool.name };
  if (tool.description !== undefined) definition['description'] = tool.description;
  if (tool.parameters !== undefined) definition['parameters'] = tool.parameters;
  return { type: 'function', function: definition };
}

function convertToolChoice(choice: ToolChoice): unknown {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

function convertResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format.type !== 'json_schema') return { type: format.type };
  const jsonSchema: Record<string, unknown> = { name: format.name ?? 'response', schema: format.schema };
  if (format.strict !== undefined) jsonSchema['strict'] = format.strict;
  return { type: 'json_schema', json_schema: jsonSchema };
}
