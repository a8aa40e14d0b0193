import { jsonSchema, Output, tool, type ModelMessage, type ToolSet } from 'ai';
import type { BatchRequest, ContentPart, Message, ToolCall } from '../../models/batch-request.js';

/** What `generateText` is called with for one request (the model, signal and retries are added by the strategy). */
export interface AiSdkCallParams {
  system?: string;
  messages: ModelMessage[];
  tools?: ToolSet;
  toolChoice?: 'auto' | 'none' | 'required' | { type: 'tool'; toolName: string };
  output?: ReturnType<typeof Output.object> | ReturnType<typeof Output.json>;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  providerOptions?: Record<string, Record<string, never>>;
}

function textOf(content: Message['content']): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function parseArguments(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The model's own malformed arguments go back as it wrote them.
    return text;
  }
}

function userPart(part: ContentPart): { type: 'text'; text: string } | { type: 'image'; image: URL | string; mediaType?: string } {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const image = part.url !== undefined ? new URL(part.url) : (part.data ?? '');
  return { type: 'image', image, ...(part.mediaType === undefined ? {} : { mediaType: part.mediaType }) };
}

/**
 * A `BatchRequest`'s messages as the AI SDK's `ModelMessage`s: system messages (and `system`)
 * joined into `system`; assistant tool calls as `tool-call` parts (arguments parsed); tool messages
 * as `tool-result` parts, named after the call they answer.
 */
function toMessages(request: BatchRequest): { system: string | undefined; messages: ModelMessage[] } {
  const systems = request.system === undefined ? [] : [request.system];
  const toolNames = new Map<string, string>();
  const messages: ModelMessage[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        systems.push(textOf(message.content));
        break;
      case 'user':
        messages.push({ role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map(userPart) });
        break;
      case 'assistant': {
        const calls: ToolCall[] = message.toolCalls ?? [];
        if (calls.length === 0) {
          messages.push({ role: 'assistant', content: textOf(message.content) });
          break;
        }
        const text = textOf(message.content);
        messages.push({
          role: 'assistant',
          content: [
            ...(text === '' ? [] : [{ type: 'text' as const, text }]),
            ...calls.map((call) => {
              toolNames.set(call.id, call.name);
              return { type: 'tool-call' as const, toolCallId: call.id, toolName: call.name, input: parseArguments(call.arguments) };
            }),
          ],
        });
        break;
      }
      case 'tool': {
        const toolCallId = message.toolCallId ?? '';
        messages.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId,
              toolName: message.name ?? toolNames.get(toolCallId) ?? 'tool',
              output: { type: 'text', value: textOf(message.content) },
            },
          ],
        });
        break;
      }
    }
  }
  return { system: systems.length === 0 ? undefined : systems.join('\n\n'), messages };
}

/**
 * The `generateText` settings of one request: messages, tools (definitions only: no `execute`, so
 * the AI SDK never runs one and the emulated adapter's tool loop stays the only one), tool choice,
 * structured output, sampling and the request's `providerOptions` (keyed by AI SDK provider name).
 */
export function toAiSdkCall(request: BatchRequest, defaults: { readonly maxOutputTokens?: number | undefined }): AiSdkCallParams {
  const { system, messages } = toMessages(request);
  const params: AiSdkCallParams = { messages };
  if (system !== undefined) params.system = system;
  if (request.tools !== undefined && request.tools.length > 0) {
    params.tools = Object.fromEntries(
      request.tools.map((definition) => [
        definition.name,
        tool({
          ...(definition.description === undefined ? {} : { description: definition.description }),
          inputSchema: jsonSchema(definition.parameters ?? { type: 'object', properties: {} }),
        }),
      ]),
    );
  }
  const choice = request.toolChoice;
  if (choice !== undefined) params.toolChoice = typeof choice === 'string' ? choice : { type: 'tool', toolName: choice.name };
  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    params.output = Output.object({ schema: jsonSchema(format.schema), ...(format.name === undefined ? {} : { name: format.name }) });
  } else if (format?.type === 'json_object') {
    params.output = Output.json();
  }
  const maxOutputTokens = request.maxTokens ?? defaults.maxOutputTokens;
  if (maxOutputTokens !== undefined) params.maxOutputTokens = maxOutputTokens;
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.topP = request.topP;
  if (request.stop !== undefined) params.stopSequences = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
  if (request.providerOptions !== undefined) params.providerOptions = request.providerOptions as AiSdkCallParams['providerOptions'];
  return params;
}
