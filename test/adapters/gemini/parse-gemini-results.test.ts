import { describe, expect, it } from 'vitest';
import { mapGeminiBatchState } from '../../../src/adapters/gemini/map-gemini-batch-state.js';
import { mapGeminiUsage } from '../../../src/adapters/gemini/map-gemini-usage.js';
import { parseGeminiResultLine } from '../../../src/adapters/gemini/parse-gemini-result-line.js';

describe('parseGeminiResultLine', () => {
  it('reads a response line: text without thoughts, tool calls, finish reason and usage with cached and thinking tokens', () => {
    const result = parseGeminiResultLine(
      {
        key: 'a',
        response: {
          candidates: [
            {
              content: { role: 'model', parts: [{ text: 'pondering', thought: true }, { text: 'Hello' }, { functionCall: { name: 'f', args: { x: 1 } } }] },
              finishReason: 'STOP',
            },
          ],
          usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 80, candidatesTokenCount: 5, thoughtsTokenCount: 20, totalTokenCount: 125 },
          modelVersion: 'gemini-2.5-flash',
        },
      },
      'fallback-model',
    );
    expect(result).toEqual({
      id: 'a',
      status: 'succeeded',
      text: 'Hello',
      finishReason: 'tool_calls',
      rawFinishReason: 'STOP',
      toolCalls: [{ id: 'call_0', name: 'f', arguments: '{"x":1}' }],
      usage: { inputTokens: 100, outputTokens: 25, totalTokens: 125, cachedInputTokens: 80, reasoningTokens: 20 },
      model: 'gemini-2.5-flash',
    });
  });

  it('reads MAX_TOKENS as length', () => {
    const result = parseGeminiResultLine({ key: 'a', response: { candidates: [{ content: { parts: [{ text: 'cut' }] }, finishReason: 'MAX_TOKENS' }] } }, 'm');
    expect(result).toMatchObject({ status: 'succeeded', finishReason: 'length', model: 'm' });
  });

  it('reads a blocked prompt as a failed content_filter item that is not retried', () => {
    const result = parseGeminiResultLine({ key: 'b', response: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9 } } }, 'm');
    expect(result).toMatchObject({ id: 'b', status: 'failed', error: { category: 'content_filter', retryable: false, code: 'SAFETY' }, usage: { inputTokens: 9 } });
  });

  it('reads an answer stopped for safety with no text as content_filter', () => {
    const result = parseGeminiResultLine({ key: 'c', response: { candidates: [{ finishReason: 'SAFETY' }] } }, 'm');
    expect(result).toMatchObject({ status: 'failed', error: { category: 'content_filter' } });
  });

  it('classifies a per-line google.rpc.Status by its gRPC code', () => {
    expect(parseGeminiResultLine({ key: 'd', error: { code: 3, message: 'Invalid value at contents' } }, 'm')).toMatchObject({
      id: 'd',
      status: 'failed',
      error: { category: 'invalid_request', retryable: false, statusCode: 400, code: 'INVALID_ARGUMENT', message: 'Invalid value at contents' },
    });
    expect(parseGeminiResultLine({ key: 'e', error: { code: 14, message: 'Service unavailable' } }, 'm')).toMatchObject({
      status: 'failed',
      error: { category: 'server', retryable: true, statusCode: 503 },
    });
  });

  it('takes the key of an inlined response from its metadata, and reports a line without any key as unreadable', () => {
    expect(parseGeminiResultLine({ metadata: { key: 'k1' }, response: { candidates: [{ content: { parts: [{ text: 'x' }] } }] } }, 'm')).toMatchObject({ id: 'k1' });
    expect(parseGeminiResultLine({ response: {} }, 'm')).toEqual({ unreadable: 'the line has no key' });
  });
});

describe('mapGeminiBatchState', () => {
  it.each([
    ['BATCH_STATE_PENDING', 'in_progress'],
    ['JOB_STATE_RUNNING', 'in_progress'],
    ['BATCH_STATE_SUCCEEDED', 'completed'],
    ['JOB_STATE_SUCCEEDED', 'completed'],
    ['BATCH_STATE_FAILED', 'failed'],
    ['JOB_STATE_CANCELLED', 'cancelled'],
    ['BATCH_STATE_EXPIRED', 'expired'],
    ['JOB_STATE_EXPIRED', 'expired'],
    ['SOMETHING_NEW', 'in_progress'],
  ])('maps %s to %s', (state, status) => {
    expect(mapGeminiBatchState(state)).toBe(status);
  });
});

describe('mapGeminiUsage', () => {
  it('counts tool-use prompt tokens as input and reports no cached subset when Gemini gives none', () => {
    expect(mapGeminiUsage({ promptTokenCount: 10, toolUsePromptTokenCount: 2, candidatesTokenCount: 3 })).toEqual({ inputTokens: 12, outputTokens: 3, totalTokens: 15 });
  });
});
