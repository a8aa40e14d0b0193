/**
 * Turns a request into an answer: the user's `respond` script where it says something, otherwise a
 * deterministic answer derived from a hash of the request, so the same request always gets the same
 * answer (and tests can assert on it).
 */
import { sampleFromJsonSchema } from './json-schema-sample.js';
import type { MockAnswer, MockProvider, MockRequest, MockResponder } from './options.js';
import { createRandomSource, hashString } from './random.js';

/** The provider-neutral view of a generation request. */
export interface GenerationRequest {
  readonly provider: MockProvider;
  readonly endpoint: string;
  readonly body: Record<string, unknown>;
  readonly model: string;
  /** All prompt text (system + messages), for hashing and token estimates. */
  readonly promptText: string;
  readonly lastUserText: string;
  readonly maxTokens: number | undefined;
  /** JSON Schema of a structured-output request. */
  readonly outputSchema: unknown;
  /** The tool the model must call (tool_choice required / named). */
  readonly forcedTool: { readonly name: string; readonly parameters: unknown } | undefined;
  readonly batch?: { readonly id: string; readonly customId: string };
}

export interface ResolvedToolCall {
  readonly id: string;
  readonly name: string;
  readonly argumentsJson: string;
}

export type ResolvedAnswer =
  | {
      readonly kind: 'answer';
      readonly text: string;
      readonly toolCalls: readonly ResolvedToolCall[];
      readonly finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly cachedTokens: number;
      readonly reasoningTokens: number;
      readonly cacheCreationTokens: number;
    }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly message: string;
      readonly type: string | undefined;
      readonly code: string | null | undefined;
      readonly param: string | null | undefined;
    };

const vocabulary = [
  'the', 'answer', 'is', 'clear', 'and', 'short', 'a', 'batch', 'of', 'requests', 'runs', 'well', 'every', 'result',
  'matches', 'its', 'input', 'model', 'returns', 'text', 'here', 'done', 'quickly', 'with', 'care', 'for', 'you',
];

/** Extracts the text of a message content (string, content parts, nested blocks). */
export function collectText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    let text = '';
    for (const part of value) {
      const partText = collectText(part);
      if (partText !== '') text = text === '' ? partText : `${text}\n${partText}`;
    }
    return text;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.text === 'string') return record.text;
    if (record.content !== undefined) return collectText(record.content);
    if (typeof record.input === 'string') return record.input;
  }
  return '';
}

/** Estimated tokens of a text: about four characters a token, at least one. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function deterministicText(seed: number, request: GenerationRequest): string {
  const random = createRandomSource(hashString(`${request.model}\n${request.promptText}`, seed));
  const count = 5 + Math.floor(random() * 20);
  const chosen: string[] = [];
  for (let index = 0; index < count; index += 1) {
    chosen.push(vocabulary[Math.floor(random() * vocabulary.length)] ?? 'done');
  }
  const sentence = chosen.join(' ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

function toolCallId(provider: MockProvider, seed: number, request: GenerationRequest, index: number): string {
  const suffix = hashString(`${request.promptText}#${index}`, seed).toString(36).padStart(7, '0');
  return provider === 'openai' ? `call_${suffix}${index}` : `toolu_${suffix}${index}`;
}

/** Resolves the answer to one generation request. */
export async function resolveAnswer(
  request: GenerationRequest,
  options: { readonly seed: number; readonly respond: MockResponder | undefined },
): Promise<ResolvedAnswer> {
  let scripted: MockAnswer | undefined;
  if (options.respond !== undefined) {
    const mockRequest: MockRequest = {
      provider: request.provider,
      endpoint: request.endpoint,
      body: request.body,
      ...(request.batch === undefined ? {} : { batch: request.batch }),
    };
    scripted = await options.respond(mockRequest);
  }
  if (scripted?.status !== undefined && scripted.status >= 400) {
    return {
      kind: 'error',
      status: scripted.status,
      message: scripted.error?.message ?? `Scripted error ${scripted.status}`,
      type: scripted.error?.type,
      code: scripted.error?.code,
      param: scripted.error?.param,
    };
  }
  const random = createRandomSource(hashString(request.promptText, options.seed ^ 0x5bd1e995));
  let text: string;
  let toolCalls: ResolvedToolCall[] = [];
  if (scripted?.toolCalls !== undefined) {
    toolCalls = scripted.toolCalls.map((call, index) => ({
      id: call.id ?? toolCallId(request.provider, options.seed, request, index),
      name: call.name,
      argumentsJson: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    text = scripted.text ?? '';
  } else if (scripted?.text !== undefined) {
    text = scripted.text;
  } else if (request.forcedTool !== undefined) {
    toolCalls = [
      {
        id: toolCallId(request.provider, options.seed, request, 0),
        name: request.forcedTool.name,
        argumentsJson: JSON.stringify(sampleFromJsonSchema(request.forcedTool.parameters ?? { type: 'object' }, random)),
      },
    ];
    text = '';
  } else if (request.outputSchema !== undefined) {
    text = JSON.stringify(sampleFromJsonSchema(request.outputSchema, random));
  } else {
    text = deterministicText(options.seed, request);
  }

  let outputTokens = estimateTokens(text) + toolCalls.reduce((sum, call) => sum + estimateTokens(call.argumentsJson), 0);
  let finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter' = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  if (scripted?.finishReason === undefined && request.maxTokens !== undefined && outputTokens > request.maxTokens) {
    // Cut the answer where the token budget ends, as a real model stops mid-sentence.
    text = text.slice(0, Math.max(0, request.maxTokens * 4));
    outputTokens = request.maxTokens;
    finishReason = 'length';
    toolCalls = [];
  }
  if (scripted?.finishReason !== undefined) finishReason = scripted.finishReason;
  return {
    kind: 'answer',
    text,
    toolCalls,
    finishReason,
    inputTokens: scripted?.usage?.inputTokens ?? estimateTokens(request.promptText),
    outputTokens: scripted?.usage?.outputTokens ?? outputTokens,
    cachedTokens: scripted?.usage?.cachedTokens ?? 0,
    reasoningTokens: scripted?.usage?.reasoningTokens ?? 0,
    cacheCreationTokens: scripted?.usage?.cacheCreationTokens ?? 0,
  };
}
