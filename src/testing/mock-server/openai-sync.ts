/**
 * OpenAI generation endpoints: chat completions, responses and embeddings. The same executor serves
 * the synchronous routes and the items of native batches, so a batch line gets exactly the body the
 * synchronous API would have returned.
 */
import { openAIErrorBody } from './errors.js';
import type { MockResponder } from './options.js';
import { createRandomSource, hashString } from './random.js';
import { collectText, estimateTokens, resolveAnswer, type GenerationRequest, type ResolvedAnswer } from './responder.js';

/** What executing one request needs from the server. */
export interface ExecutionContext {
  readonly seed: number;
  readonly respond: MockResponder | undefined;
  readonly createId: (prefix: string, length?: number) => string;
  /** Batch clock, epoch milliseconds. */
  readonly now: () => number;
  readonly embeddingDimensions: number;
}

/** A status and JSON body, as either the HTTP response or the `response` of a batch line. */
export interface ExecutionResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Usage for batch totals. */
  readonly usage?: { input: number; output: number; cached: number; reasoning: number };
}

/** The OpenAI paths the emulator can execute (sync and in batches). */
export const openAIExecutablePaths = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'] as const;

function invalid(message: string, param: string | null): ExecutionResult {
  return { status: 400, body: openAIErrorBody(400, message, { param, code: param === null ? null : 'missing_required_parameter' }) as unknown as Record<string, unknown> };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = asRecord(messages[index]);
    if (message?.role === 'user') return collectText(message.content);
  }
  return '';
}

function chatRequest(body: Record<string, unknown>, batch: GenerationRequest['batch']): GenerationRequest | ExecutionResult {
  if (typeof body.model !== 'string' || body.model === '') return invalid("Missing required parameter: 'model'.", 'model');
  if (!Array.isArray(body.messages)) return invalid("Missing required parameter: 'messages'.", 'messages');
  if (body.messages.length === 0) {
    return { status: 400, body: openAIErrorBody(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", { param: 'messages', code: 'empty_array' }) as unknown as Record<string, unknown> };
  }
  const responseFormat = asRecord(body.response_format);
  const jsonSchema = responseFormat?.type === 'json_schema' ? asRecord(responseFormat.json_schema) : undefined;
  let forcedTool: GenerationRequest['forcedTool'];
  const tools = Array.isArray(body.tools) ? body.tools.map(asRecord).filter((tool) => tool !== undefined) : [];
  const toolChoice = body.tool_choice;
  const namedChoice = asRecord(asRecord(toolChoice)?.function)?.name;
  if (tools.length > 0 && (toolChoice === 'required' || typeof namedChoice === 'string')) {
    const tool = tools.find((candidate) => typeof namedChoice !== 'string' || asRecord(candidate.function)?.name === namedChoice) ?? tools[0];
    const definition = asRecord(tool?.function);
    if (definition !== undefined && typeof definition.name === 'string') {
      forcedTool = { name: definition.name, parameters: definition.parameters };
    }
  }
  const maxTokens = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
  return {
    provider: 'openai',
    endpoint: '/v1/chat/completions',
    body,
    model: body.model,
    promptText: collectText(body.messages),
    lastUserText: lastUserText(body.messages),
    maxTokens,
    outputSchema: jsonSchema?.schema ?? (responseFormat?.type === 'json_object' ? { type: 'object', properties: { result: { type: 'string' } } } : undefined),
    forcedTool,
    ...(batch === undefined ? {} : { batch }),
  };
}

function responsesRequest(body: Record<string, unknown>, batch: GenerationRequest['batch']): GenerationRequest | ExecutionResult {
  if (typeof body.model !== 'string' || body.model === '') return invalid("Missing required parameter: 'model'.", 'model');
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) return invalid("Missing required parameter: 'input'.", 'input');
  const format = asRecord(asRecord(body.text)?.format);
  let forcedTool: GenerationRequest['forcedTool'];
  const tools = Array.isArray(body.tools) ? body.tools.map(asRecord).filter((tool) => tool !== undefined) : [];
  const namedChoice = asRecord(body.tool_choice)?.name;
  if (tools.length > 0 && (body.tool_choice === 'required' || typeof namedChoice === 'string')) {
    const tool = tools.find((candidate) => typeof namedChoice !== 'string' || candidate.name === namedChoice) ?? tools[0];
    if (tool !== undefined && typeof tool.name === 'string') forcedTool = { name: tool.name, parameters: tool.parameters };
  }
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  const inputText = collectText(body.input);
  return {
    provider: 'openai',
    endpoint: '/v1/responses',
    body,
    model: body.model,
    promptText: instructions === '' ? inputText : `${instructions}\n${inputText}`,
    lastUserText: typeof body.input === 'string' ? body.input : lastUserText(body.input),
    maxTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined,
    outputSchema: format?.type === 'json_schema' ? format.schema : undefined,
    forcedTool,
    ...(batch === undefined ? {} : { batch }),
  };
}

function errorResult(answer: Extract<ResolvedAnswer, { kind: 'error' }>): ExecutionResult {
  return {
    status: answer.status,
    body: openAIErrorBody(answer.status, answer.message, {
      ...(answer.type === undefined ? {} : { type: answer.type }),
      ...(answer.code === undefined ? {} : { code: answer.code }),
      ...(answer.param === undefined ? {} : { param: answer.param }),
    }) as unknown as Record<string, unknown>,
  };
}

function chatCompletionBody(request: GenerationRequest, answer: Extract<ResolvedAnswer, { kind: 'answer' }>, context: ExecutionContext): Record<string, unknown> {
  const toolCalls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.argumentsJson } }));
  return {
    id: context.createId('chatcmpl-', 29),
    object: 'chat.completion',
    created: Math.floor(context.now() / 1000),
    model: request.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls.length > 0 && answer.text === '' ? null : answer.text,
          refusal: null,
          annotations: [],
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: {
      prompt_tokens: answer.inputTokens,
      completion_tokens: answer.outputTokens,
      total_tokens: answer.inputTokens + answer.outputTokens,
      prompt_tokens_details: { cached_tokens: answer.cachedTokens, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: answer.reasoningTokens,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
}

function responseBody(request: GenerationRequest, answer: Extract<ResolvedAnswer, { kind: 'answer' }>, context: ExecutionContext): Record<string, unknown> {
  const createdAt = Math.floor(context.now() / 1000);
  const output: Record<string, unknown>[] = [];
  if (answer.text !== '' || answer.toolCalls.length === 0) {
    output.push({
      id: context.createId('msg_', 32),
      type: 'message',
      status: answer.finishReason === 'length' ? 'incomplete' : 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of answer.toolCalls) {
    output.push({ id: context.createId('fc_', 32), type: 'function_call', status: 'completed', call_id: call.id, name: call.name, arguments: call.argumentsJson });
  }
  const incomplete = answer.finishReason === 'length';
  const body = request.body;
  return {
    id: context.createId('resp_', 32),
    object: 'response',
    created_at: createdAt,
    completed_at: incomplete ? null : createdAt,
    status: incomplete ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
    model: request.model,
    output,
    output_text: answer.text,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: body.store !== false,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: { format: asRecord(asRecord(body.text)?.format) ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: 'disabled',
    usage: {
      input_tokens: answer.inputTokens,
      input_tokens_details: { cached_tokens: answer.cachedTokens, cache_write_tokens: 0 },
      output_tokens: answer.outputTokens,
      output_tokens_details: { reasoning_tokens: answer.reasoningTokens },
      total_tokens: answer.inputTokens + answer.outputTokens,
    },
    metadata: asRecord(body.metadata) ?? {},
  };
}

async function executeEmbeddings(body: Record<string, unknown>, context: ExecutionContext, batch: GenerationRequest['batch']): Promise<ExecutionResult> {
  if (typeof body.model !== 'string' || body.model === '') return invalid("Missing required parameter: 'model'.", 'model');
  const input = body.input;
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0) || input === '') {
    return invalid("Missing required parameter: 'input'.", 'input');
  }
  const inputs: string[] = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))) : [JSON.stringify(input)];
  let scriptedVectors: readonly (readonly number[])[] | undefined;
  if (context.respond !== undefined) {
    const scripted = await context.respond({ provider: 'openai', endpoint: '/v1/embeddings', body, ...(batch === undefined ? {} : { batch }) });
    if (scripted?.status !== undefined && scripted.status >= 400) {
      return errorResult({ kind: 'error', status: scripted.status, message: scripted.error?.message ?? `Scripted error ${scripted.status}`, type: scripted.error?.type, code: scripted.error?.code, param: scripted.error?.param });
    }
    scriptedVectors = scripted?.embeddings;
  }
  const dimensions = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : context.embeddingDimensions;
  const data = inputs.map((text, index) => {
    let embedding = scriptedVectors?.[index] as number[] | undefined;
    if (embedding === undefined) {
      const random = createRandomSource(hashString(text, context.seed));
      embedding = [];
      for (let dimension = 0; dimension < dimensions; dimension += 1) embedding.push(Math.round((random() * 2 - 1) * 1e6) / 1e6);
    }
    // The official SDK asks for base64 (little-endian float32) by default and decodes it itself.
    const encoded = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(embedding).buffer).toString('base64') : embedding;
    return { object: 'embedding', index, embedding: encoded };
  });
  const promptTokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
  return {
    status: 200,
    body: { object: 'list', data, model: body.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
    usage: { input: promptTokens, output: 0, cached: 0, reasoning: 0 },
  };
}

/** Executes one OpenAI request (sync or batch item) and returns status + body. */
export async function executeOpenAIRequest(
  path: string,
  body: Record<string, unknown>,
  context: ExecutionContext,
  batch?: GenerationRequest['batch'],
): Promise<ExecutionResult> {
  if (path === '/v1/embeddings') return executeEmbeddings(body, context, batch);
  const request = path === '/v1/responses' ? responsesRequest(body, batch) : chatRequest(body, batch);
  if ('status' in request) return request;
  const answer = await resolveAnswer(request, { seed: context.seed, respond: context.respond });
  if (answer.kind === 'error') return errorResult(answer);
  return {
    status: 200,
    body: path === '/v1/responses' ? responseBody(request, answer, context) : chatCompletionBody(request, answer, context),
    usage: { input: answer.inputTokens, output: answer.outputTokens, cached: answer.cachedTokens, reasoning: answer.reasoningTokens },
  };
}

/** The text a request's call key defaults to (last user message). */
export function openAILastUserText(path: string, body: Record<string, unknown>): string | undefined {
  if (path === '/v1/responses') return typeof body.input === 'string' ? body.input : Array.isArray(body.input) ? lastUserText(body.input) : undefined;
  if (path === '/v1/chat/completions') return Array.isArray(body.messages) ? lastUserText(body.messages) : undefined;
  if (path === '/v1/embeddings') return typeof body.input === 'string' ? body.input : undefined;
  return undefined;
}
