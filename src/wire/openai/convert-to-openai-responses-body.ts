import type { BatchRequest, ContentPart, Message, ResponseFormat, ToolChoice, ToolDefinition } from '../../models/batch-request.js';
import { imageUrl } from './convert-to-openai-chat-body.js';
import type { DroppedParameter, OpenAIBodyConversion } from './openai-body-conversion.js';

/**
 * Builds a Responses API body from a `BatchRequest`: `request.system` becomes `instructions`,
 * messages become `input` items, `maxTokens` becomes `max_output_tokens`, the response format
 * becomes `text.format`. `stop` has no Responses equivalent and is reported as dropped.
 * `providerOptions.openai` is merged last.
 */
export function convertToOpenAIResponsesBody(request: BatchRequest, options: { model?: string } = {}): OpenAIBodyConversion {
  const body: Record<string, unknown> = {};
  const dropped: DroppedParameter[] = [];
  const model = request.model ?? options.model;
  if (model !== undefined) body['model'] = model;
  if (request.system !== undefined) body['instructions'] = request.system;
  body['input'] = request.messages.flatMap(convertMessage);
  if (request.maxTokens !== undefined) body['max_output_tokens'] = request.maxTokens;
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.topP !== undefined) body['top_p'] = request.topP;
  if (request.stop !== undefined) {
    dropped.push({ parameter: 'stop', model: model ?? '', reason: 'the Responses API has no stop sequences' });
  }
  if (request.tools !== undefined) body['tools'] = request.tools.map(convertTool);
  if (request.toolChoice !== undefined) body['tool_choice'] = convertToolChoice(request.toolChoice);
  if (request.responseFormat !== undefined) body['text'] = { format: convertResponseFormat(request.responseFormat) };
  Object.assign(body, request.providerOptions?.['openai']);
  return { body, dropped };
}

function convertMessage(message: Message): Record<string, unknown>[] {
  if (message.role === 'tool') {
    return [{ type: 'function_call_output', call_id: message.toolCallId ?? '', output: textOf(message.content) }];
  }
  const items: Record<string, unknown>[] = [];
  const hasText = typeof message.content !== 'string' || message.content !== '' || !message.toolCalls?.length;
  if (hasText) {
    items.push({ role: message.role, content: convertContent(message.content, message.role === 'assistant') });
  }
  for (const call of message.role === 'assistant' ? (message.toolCalls ?? []) : []) {
    items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments });
  }
  return items;
}

function convertContent(content: string | ContentPart[], assistant: boolean): unknown {
  if (typeof content === 'string') return content;
  return content.map((part) => {
    if (part.type === 'text') return { type: assistant ? 'output_text' : 'input_text', text: part.text };
    return { type: 'input_image', image_url: imageUrl(part) };
  });
}

function textOf(content: string | ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function convertTool(tool: ToolDefinition): Record<string, unknown> {
  const definition: Record<string, unknown> = { type: 'function', name: tool.name };
  if (tool.description !== undefined) definition['description'] = tool.description;
  // The Responses API requires both fields; non-strict keeps arbitrary JSON schemas accepted.
  definition['parameters'] = tool.parameters ?? { type: 'object', properties: {} };
  definition['strict'] = false;
  return definition;
}

function convertToolChoice(choice: ToolChoice): unknown {
  if (typeof choice === 'string') return choice;
  return { type: 'function', name: choice.name };
}

function convertResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format.type !== 'json_schema') return { type: format.type };
  const converted: Record<string, unknown> = { type: 'json_schema', name: format.name ?? 'response', schema: format.schema };
  if (format.strict !== undefined) converted['strict'] = format.strict;
  return converted;
}
