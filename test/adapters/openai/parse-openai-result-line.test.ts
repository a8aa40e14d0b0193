import { describe, expect, it } from 'vitest';
import { parseOpenAIResultLine } from '../../../src/adapters/openai/parse-openai-result-line.js';

function chatLine(customId: string, message: Record<string, unknown>, finishReason: string, usage: Record<string, unknown> = {}) {
  return {
    id: 'batch_req_1',
    custom_id: customId,
    response: {
      status_code: 200,
      request_id: 'req_1',
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'gpt-4.1-mini-2025-04-14',
        choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
        usage: { prompt_tokens: 22, completion_tokens: 5, total_tokens: 27, ...usage },
      },
    },
    error: null,
  };
}

describe('parseOpenAIResultLine', () => {
  it('reads a 2xx line as succeeded with text, model and usage including cached and reasoning tokens', () => {
    const result = parseOpenAIResultLine(
      chatLine('a', { content: 'Hello.' }, 'stop', {
        prompt_tokens_details: { cached_tokens: 16 },
        completion_tokens_details: { reasoning_tokens: 3 },
      }),
    );
    expect(result).toEqual({
      id: 'a',
      status: 'succeeded',
      text: 'Hello.',
      finishReason: 'stop',
      rawFinishReason: 'stop',
      model: 'gpt-4.1-mini-2025-04-14',
      usage: { inputTokens: 22, outputTokens: 5, totalTokens: 27, cachedInputTokens: 16, reasoningTokens: 3 },
    });
  });

  it('reads tool calls and maps finish reasons', () => {
    const result = parseOpenAIResultLine(
      chatLine('b', { content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] }, 'tool_calls'),
    );
    expect(result).toMatchObject({ status: 'succeeded', text: '', finishReason: 'tool_calls', toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"q":1}' }] });
    expect(parseOpenAIResultLine(chatLine('c', { content: 'cut' }, 'length'))).toMatchObject({ finishReason: 'length' });
    expect(parseOpenAIResultLine(chatLine('d', { content: '' }, 'content_filter'))).toMatchObject({ finishReason: 'content_filter' });
    expect(parseOpenAIResultLine(chatLine('e', { content: 'x' }, 'something_new'))).toMatchObject({ finishReason: 'other', rawFinishReason: 'something_new' });
  });

  it('treats an HTTP failure with error: null as failed, classified from the status and body', () => {
    const result = parseOpenAIResultLine({
      id: 'batch_req_2',
      custom_id: 'f',
      response: {
        status_code: 400,
        request_id: 'req_2',
        body: { error: { message: "This model's maximum context length is 128000 tokens", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
      },
      error: null,
    });
    expect(result).toMatchObject({ id: 'f', status: 'failed', error: { category: 'context_length', statusCode: 400, retryable: false } });
  });

  it('treats a 429 line as a retryable failure', () => {
    const result = parseOpenAIResultLine({
      custom_id: 'g',
      response: { status_code: 429, body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } } },
      error: null,
    });
    expect(result).toMatchObject({ status: 'failed', error: { category: 'rate_limit', retryable: true } });
  });

  it('maps batch_expired to an expired item', () => {
    const result = parseOpenAIResultLine({
      id: 'batch_req_3',
      custom_id: 'h',
      response: null,
      error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
    });
    expect(result).toMatchObject({ id: 'h', status: 'expired', error: { category: 'expired' } });
  });

  it('reads a Responses API body', () => {
    const result = parseOpenAIResultLine({
      custom_id: 'r',
      response: {
        status_code: 200,
        body: {
          object: 'response',
          status: 'completed',
          model: 'gpt-5-mini',
          output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there' }] }],
          usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 5 }, total_tokens: 17 },
        },
      },
      error: null,
    });
    expect(result).toMatchObject({
      status: 'succeeded',
      text: 'Hi there',
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 7, totalTokens: 17, cachedInputTokens: 4, reasoningTokens: 5 },
    });
  });

  it('returns undefined for a value without custom_id', () => {
    expect(parseOpenAIResultLine({ id: 'x' })).toBeUndefined();
    expect(parseOpenAIResultLine('text')).toBeUndefined();
  });
});
