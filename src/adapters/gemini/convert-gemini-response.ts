import type { ToolCall } from '../../models/batch-request.js';
import type { FinishReason } from '../../models/batch-result.js';
import type { ItemError } from '../../models/item-error.js';
import type { Usage } from '../../models/usage.js';
import type { GeminiGenerateContentResponse } from './gemini-request.js';
import { isGeminiSafetyReason, mapGeminiFinishReason } from './map-gemini-finish-reason.js';
import { mapGeminiUsage } from './map-gemini-usage.js';

/** A response the model answered: what a succeeded result carries. */
export interface ConvertedGeminiAnswer {
  readonly kind: 'answer';
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  toolCalls?: ToolCall[];
  usage: Usage;
  model: string;
}

/** A response Gemini blocked (the prompt, or an answer stopped by its safety rules with nothing kept). */
export interface BlockedGeminiAnswer {
  readonly kind: 'blocked';
  error: ItemError;
  usage: Usage;
  model: string;
}

/**
 * Reads a `GenerateContentResponse`: the first candidate's text (thought parts left out), its
 * function calls (`arguments` as JSON text), the normalised finish reason and the usage. A prompt
 * Gemini refused (`promptFeedback.blockReason`, no candidate) or an answer stopped by a safety
 * reason with no text comes back `blocked`, with a `content_filter` error that is not retryable.
 *
 * @param requestedModel Reported when the response names no `modelVersion`.
 */
export function convertGeminiResponse(response: GeminiGenerateContentResponse, requestedModel: string): ConvertedGeminiAnswer | BlockedGeminiAnswer {
  const usage = mapGeminiUsage(response.usageMetadata);
  const model = response.modelVersion ?? requestedModel;
  const candidate = response.candidates?.[0];
  const blockReason = response.promptFeedback?.blockReason;
  if (candidate === undefined) {
    const reason = blockReason ?? 'no candidate';
    const detail = response.promptFeedback?.blockReasonMessage;
    return {
      kind: 'blocked',
      error: {
        category: 'content_filter',
        retryable: false,
        code: reason,
        message: `Gemini blocked the prompt (${reason})${detail ? `: ${detail}` : ''}`,
      },
      usage,
      model,
    };
  }
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (typeof part.text === 'string' && part.thought !== true) texts.push(part.text);
    if (part.functionCall) {
      toolCalls.push({
        id: part.functionCall.id ?? `call_${toolCalls.length}`,
        name: part.functionCall.name,
        arguments: JSON.stringify(part.functionCall.args ?? {}),
      });
    }
  }
  const text = texts.join('');
  const rawFinishReason = candidate.finishReason ?? undefined;
  if (isGeminiSafetyReason(rawFinishReason) && text === '' && toolCalls.length === 0) {
    return {
      kind: 'blocked',
      error: {
        category: 'content_filter',
        retryable: false,
        code: rawFinishReason as string,
        message: `Gemini stopped the answer (${rawFinishReason})${candidate.finishMessage ? `: ${candidate.finishMessage}` : ''}`,
      },
      usage,
      model,
    };
  }
  const answer: ConvertedGeminiAnswer = {
    kind: 'answer',
    text,
    finishReason: mapGeminiFinishReason(rawFinishReason, toolCalls.length > 0),
    usage,
    model,
  };
  if (rawFinishReason !== undefined) answer.rawFinishReason = rawFinishReason;
  if (toolCalls.length > 0) answer.toolCalls = toolCalls;
  return answer;
}
