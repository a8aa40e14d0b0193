import { describe, expect, it } from 'vitest';
import { parseAnthropicResultLine } from '../../../src/adapters/anthropic/parse-anthropic-result-line.js';

const message = (overrides: Record<string, unknown> = {}) => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5',
  content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 3, cache_read_input_tokens: 7 },
  ...overrides,
});

describe('parseAnthropicResultLine', () => {
  it('maps a succeeded line: joined text, stop reason and usage with cache tokens', () => {
    const result = parseAnthropicResultLine({ custom_id: 'a', result: { type: 'succeeded', message: message() } });
    expect(result).toEqual({
      id: 'a',
      status: 'succeeded',
      text: 'Hello there',
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      model: 'claude-haiku-4-5',
      usage: { inputTokens: 20, outputTokens: 5, totalTokens: 25, cachedInputTokens: 7, cacheWriteTokens: 3 },
    });
  });

  it('maps tool_use blocks to tool calls with JSON arguments', () => {
    const result = parseAnthropicResultLine({
      custom_id: 'a',
      result: {
        type: 'succeeded',
        message: message({ content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }], stop_reason: 'tool_use' }),
      },
    });
    expect(result).toMatchObject({
      status: 'succeeded',
      text: '',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' }],
    });
  });

  it.each([
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'refusal'],
    ['pause_turn', 'other'],
    ['model_context_window_exceeded', 'other'],
  ])('maps stop_reason %s to %s and keeps the raw value', (stopReason, finishReason) => {
    const result = parseAnthropicResultLine({ custom_id: 'a', result: { type: 'succeeded', message: message({ stop_reason: stopReason }) } });
    expect(result).toMatchObject({ finishReason, rawFinishReason: stopReason });
  });

  it.each([
    ['invalid_request_error', 'invalid_request', false],
    ['overloaded_error', 'overloaded', true],
    ['api_error', 'server', true],
    ['rate_limit_error', 'rate_limit', true],
  ])('maps an errored line of type %s to category %s (retryable: %s)', (type, category, retryable) => {
    const result = parseAnthropicResultLine({
      custom_id: 'b',
      result: { type: 'errored', error: { type: 'error', error: { type, message: 'nope' }, request_id: 'req_1' } },
    });
    expect(result).toMatchObject({ id: 'b', status: 'failed', error: { category, retryable, type, message: 'nope' } });
  });

  it('classifies an over-long prompt as context_length', () => {
    const result = parseAnthropicResultLine({
      custom_id: 'b',
      result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' } } },
    });
    expect(result).toMatchObject({ status: 'failed', error: { category: 'context_length', retryable: false } });
  });

  it('maps canceled and expired lines', () => {
    expect(parseAnthropicResultLine({ custom_id: 'c', result: { type: 'canceled' } })).toMatchObject({
      id: 'c',
      status: 'cancelled',
      error: { category: 'cancelled' },
    });
    expect(parseAnthropicResultLine({ custom_id: 'e', result: { type: 'expired' } })).toMatchObject({
      id: 'e',
      status: 'expired',
      error: { category: 'expired' },
    });
  });

  it('reports lines it cannot read instead of throwing', () => {
    expect(parseAnthropicResultLine(42)).toHaveProperty('unreadable');
    expect(parseAnthropicResultLine({ result: { type: 'expired' } })).toHaveProperty('unreadable');
    expect(parseAnthropicResultLine({ custom_id: 'x', result: { type: 'mystery' } })).toHaveProperty('unreadable');
  });
});
