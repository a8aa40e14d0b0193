/**
 * Anthropic Messages: validation and the `Message` body, shared by `POST /v1/messages` and the items
 * of message batches.
 */
import { anthropicErrorBody } from './errors.js';
import type { ExecutionContext, ExecutionResult } from './openai-sync.js';
import { collectText, estimateTokens, resolveAnswer, type GenerationRequest } from './responder.js';

const stopReasons = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' } as const;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function invalid(message: string, requestId: string): ExecutionResult {
  return { status: 400, body: anthropicErrorBody(400, message, requestId) as unknown as Record<string, unknown> };
}

/** Validates a Messages body; returns an error result or undefined when valid. */
export function validateAnthropicMessage(body: Record<string, unknown>, requestId: string, inBatch: boolean): ExecutionResult | undefined {
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required', requestId);
  if (body.max_tokens === undefined) return invalid('max_tokens: Field required', requestId);
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return invalid('max_tokens: Input should be greater than or equal to 1', requestId);
  }
  if (!Array.isArray(body.messages)) return invalid('messages: Field required', requestId);
  if (body.messages.length === 0) return invalid('messages: at least one message is required', requestId);
  if (inBatch && body.stream === true) return invalid('stream: streaming is not supported in message batches', requestId);
  return undefined;
}

/** Prompt text of a Messages body (system + messages). */
export function anthropicPromptText(body: Record<string, unknown>): string {
  const system = collectText(body.system);
  const messages = collectText(body.messages);
  return system === '' ? messages : `${system}\n${messages}`;
}

/** Executes one Messages request and returns status + body (a `Message` or an error body). */
export async function executeAnthropicMessage(
  body: Record<string, unknown>,
  context: ExecutionContext,
  requestId: string,
  batch?: GenerationRequest['batch'],
): Promise<ExecutionResult> {
  const failure = validateAnthropicMessage(body, requestId, batch !== undefined);
  if (failure !== undefined) return failure;
  const messages = body.messages as unknown[];
  const format = asRecord(asRecord(body.output_config)?.format) ?? asRecord(body.output_format);
  const tools = Array.isArray(body.tools) ? body.tools.map(asRecord).filter((tool) => tool !== undefined) : [];
  const toolChoice = asRecord(body.tool_choice);
  let forcedTool: GenerationRequest['forcedTool'];
  if (tools.length > 0 && (toolChoice?.type === 'any' || toolChoice?.type === 'tool')) {
    const tool = tools.find((candidate) => toolChoice.type !== 'tool' || candidate.name === toolChoice.name) ?? tools[0];
    if (tool !== undefined && typeof tool.name === 'string') forcedTool = { name: tool.name, parameters: tool.input_schema };
  }
  let lastUser = '';
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = asRecord(messages[index]);
    if (message?.role === 'user') {
      lastUser = collectText(message.content);
      break;
    }
  }
  const request: GenerationRequest = {
    provider: 'anthropic',
    endpoint: '/v1/messages',
    body,
    model: body.model as string,
    promptText: anthropicPromptText(body),
    lastUserText: lastUser,
    maxTokens: body.max_tokens as number,
    outputSchema: format?.type === 'json_schema' ? format.schema : undefined,
    forcedTool,
    ...(batch === undefined ? {} : { batch }),
  };
  const answer = await resolveAnswer(request, { seed: context.seed, respond: context.respond });
  if (answer.kind === 'error') {
    return {
      status: answer.status,
      body: anthropicErrorBody(answer.status, answer.message, requestId, answer.type === undefined ? {} : { type: answer.type }) as unknown as Record<string, unknown>,
    };
  }
  const content: Record<string, unknown>[] = [];
  if (answer.text !== '' || answer.toolCalls.length === 0) content.push({ type: 'text', text: answer.text });
  for (const call of answer.toolCalls) {
    let input: unknown;
    try {
      input = JSON.parse(call.argumentsJson);
    } catch {
      input = {};
    }
    content.push({ type: 'tool_use', id: call.id, name: call.name, input });
  }
  return {
    status: 200,
    body: {
      id: context.createId('msg_', 24),
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: stopReasons[answer.finishReason],
      stop_sequence: null,
      usage: {
        input_tokens: answer.inputTokens,
        output_tokens: answer.outputTokens,
        cache_creation_input_tokens: answer.cacheCreationTokens,
        cache_read_input_tokens: answer.cachedTokens,
        cache_creation: { ephemeral_5m_input_tokens: answer.cacheCreationTokens, ephemeral_1h_input_tokens: 0 },
        server_tool_use: null,
        service_tier: batch === undefined ? 'standard' : 'batch',
      },
    },
    usage: { input: answer.inputTokens, output: answer.outputTokens, cached: answer.cachedTokens, reasoning: 0 },
  };
}

/** `POST /v1/messages/count_tokens`. */
export function countAnthropicTokens(body: Record<string, unknown>): number {
  return estimateTokens(anthropicPromptText(body));
}
