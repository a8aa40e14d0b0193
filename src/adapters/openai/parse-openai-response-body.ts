import type { ToolCall } from '../../models/batch-request.js';
import type { FinishReason } from '../../models/batch-result.js';
import type { Usage } from '../../models/usage.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';

/** The parts of a successful response body that a result carries. */
export interface ParsedOpenAIOutput {
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  toolCalls?: ToolCall[];
  usage: Usage;
  model: string;
  /** Embeddings: the vectors, one per input. */
  output?: unknown;
}

type Json = Record<string, unknown>;

/**
 * Reads a Chat Completions, Responses or Embeddings response body (the `body` of a batch output
 * line or of a synchronous call). Lenient: missing fields become empty values, never exceptions.
 */
export function parseOpenAIResponseBody(body: unknown): ParsedOpenAIOutput {
  const object = asObject(body);
  if (object['object'] === 'response' || Array.isArray(object['output'])) return parseResponse(object);
  if (object['object'] === 'list' && Array.isArray(object['data'])) return parseEmbeddings(object);
  return parseChatCompletion(object);
}

function parseChatCompletion(body: Json): ParsedOpenAIOutput {
  const choices = Array.isArray(body['choices']) ? body['choices'] : [];
  const choice = asObject(choices[0]);
  const message = asObject(choice['message']);
  const rawFinishReason = typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : undefined;
  const content = typeof message['content'] === 'string' ? message['content'] : '';
  const refusal = typeof message['refusal'] === 'string' ? message['refusal'] : undefined;
  const toolCalls = (Array.isArray(message['tool_calls']) ? message['tool_calls'] : []).map((call): ToolCall => {
    const entry = asObject(call);
    const fn = asObject(entry['function']);
    return { id: String(entry['id'] ?? ''), name: String(fn['name'] ?? ''), arguments: String(fn['arguments'] ?? '') };
  });
  const parsed: ParsedOpenAIOutput = {
    text: content === '' && refusal !== undefined ? refusal : content,
    finishReason: content === '' && refusal !== undefined ? 'refusal' : mapOpenAIFinishReason(rawFinishReason),
    usage: parseUsage(asObject(body['usage'])),
    model: typeof body['model'] === 'string' ? body['model'] : '',
  };
  if (rawFinishReason !== undefined) parsed.rawFinishReason = rawFinishReason;
  if (toolCalls.length > 0) parsed.toolCalls = toolCalls;
  return parsed;
}

function parseResponse(body: Json): ParsedOpenAIOutput {
  const output = Array.isArray(body['output']) ? body['output'] : [];
  const texts: string[] = [];
  let refusal: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const item of output.map(asObject)) {
    if (item['type'] === 'function_call') {
      toolCalls.push({
        id: String(item['call_id'] ?? item['id'] ?? ''),
        name: String(item['name'] ?? ''),
        arguments: String(item['arguments'] ?? ''),
      });
      continue;
    }
    if (item['type'] !== 'message' || !Array.isArray(item['content'])) continue;
    for (const part of item['content'].map(asObject)) {
      if (part['type'] === 'output_text' && typeof part['text'] === 'string') texts.push(part['text']);
      if (part['type'] === 'refusal' && typeof part['refusal'] === 'string') refusal = part['refusal'];
    }
  }
  const status = typeof body['status'] === 'string' ? body['status'] : undefined;
  const incompleteReason = asObject(body['incomplete_details'])['reason'];
  const text = typeof body['output_text'] === 'string' ? body['output_text'] : texts.join('');
  let finishReason: FinishReason = 'stop';
  let rawFinishReason = status;
  if (status === 'incomplete') {
    rawFinishReason = typeof incompleteReason === 'string' ? incompleteReason : status;
    finishReason = mapOpenAIFinishReason(rawFinishReason);
  } else if (toolCalls.length > 0) {
    finishReason = 'tool_calls';
  } else if (text === '' && refusal !== undefined) {
    finishReason = 'refusal';
  }
  const parsed: ParsedOpenAIOutput = {
    text: text === '' && refusal !== undefined ? refusal : text,
    finishReason,
    usage: parseUsage(asObject(body['usage'])),
    model: typeof body['model'] === 'string' ? body['model'] : '',
  };
  if (rawFinishReason !== undefined) parsed.rawFinishReason = rawFinishReason;
  if (toolCalls.length > 0) parsed.toolCalls = toolCalls;
  return parsed;
}

function parseEmbeddings(body: Json): ParsedOpenAIOutput {
  const data = (body['data'] as unknown[]).map(asObject);
  return {
    text: '',
    finishReason: 'stop',
    usage: parseUsage(asObject(body['usage'])),
    model: typeof body['model'] === 'string' ? body['model'] : '',
    output: data.map((entry) => entry['embedding']),
  };
}

/** Reads both usage shapes: Chat (`prompt_tokens` ...) and Responses (`input_tokens` ...). */
export function parseUsage(usage: Json): Usage {
  const inputTokens = count(usage['prompt_tokens'] ?? usage['input_tokens']);
  const outputTokens = count(usage['completion_tokens'] ?? usage['output_tokens']);
  const result: Usage = {
    inputTokens,
    outputTokens,
    totalTokens: usage['total_tokens'] === undefined ? inputTokens + outputTokens : count(usage['total_tokens']),
  };
  const inputDetails = asObject(usage['prompt_tokens_details'] ?? usage['input_tokens_details']);
  const outputDetails = asObject(usage['completion_tokens_details'] ?? usage['output_tokens_details']);
  if (typeof inputDetails['cached_tokens'] === 'number') result.cachedInputTokens = count(inputDetails['cached_tokens']);
  if (typeof inputDetails['cache_write_tokens'] === 'number') result.cacheWriteTokens = count(inputDetails['cache_write_tokens']);
  if (typeof outputDetails['reasoning_tokens'] === 'number') result.reasoningTokens = count(outputDetails['reasoning_tokens']);
  return result;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
