import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { batchRequestSchema, type OpenAIBatchLine } from '../../../src/models/batch-request.js';
import { fromOpenAIBatchLine, toOpenAIBatchLine } from '../../../src/wire/openai/openai-batch-line.js';

const lines: Record<string, OpenAIBatchLine> = {
  'a plain chat line': {
    custom_id: 'request-1',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 2+2?' }], max_completion_tokens: 1000 },
  },
  'a chat line with tools, images, tool turns and a JSON schema': {
    custom_id: 'tools_2',
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ],
      temperature: 0.5,
      top_p: 1,
      stop: 'END',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
    },
  },
  'a chat line with fields the model has no place for': {
    custom_id: 'odd-3',
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: 'gpt-4o',
      messages: [
        { role: 'developer', content: 'Rules' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'low' } }] },
      ],
      max_tokens: 50,
      n: 2,
      logprobs: true,
      seed: 7,
      response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } },
      temperature: 3,
    },
  },
  'a chat line with a system message after the user': {
    custom_id: 'order-4',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'b' }] },
  },
  'a responses line with string input': {
    custom_id: 'resp-5',
    method: 'POST',
    url: '/v1/responses',
    body: { model: 'gpt-5-mini', input: 'Hello', instructions: 'Be kind', max_output_tokens: 64, reasoning: { effort: 'low' } },
  },
  'a responses line with message input': {
    custom_id: 'resp-6',
    method: 'POST',
    url: '/v1/responses',
    body: { model: 'gpt-5-mini', input: [{ role: 'user', content: 'Hi' }], temperature: 1 },
  },
  'an embeddings line': {
    custom_id: 'emb-7',
    method: 'POST',
    url: '/v1/embeddings',
    body: { model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 256 },
  },
  'an Azure-style line without the /v1 prefix': {
    custom_id: 'azure-8',
    method: 'POST',
    url: '/chat/completions',
    body: { model: 'my-global-batch-deployment', messages: [{ role: 'user', content: 'Hi' }] },
  },
};

describe('fromOpenAIBatchLine / toOpenAIBatchLine', () => {
  it.each(Object.entries(lines))('round-trips %s losslessly into a valid BatchRequest', (_name, line) => {
    const request = fromOpenAIBatchLine(line);
    expect(batchRequestSchema.safeParse(request).success).toBe(true);
    expect(toOpenAIBatchLine(request, { endpoint: line.url })).toEqual(line);
  });

  it('maps the modelled chat fields to BatchRequest fields', () => {
    const request = fromOpenAIBatchLine(lines['a chat line with tools, images, tool turns and a JSON schema']);
    expect(request).toMatchObject({
      id: 'tools_2',
      model: 'gpt-4.1',
      temperature: 0.5,
      topP: 1,
      stop: 'END',
      toolChoice: 'auto',
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
    });
    expect(request.messages[2]).toEqual({ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] });
    expect(request.providerOptions).toBeUndefined();
  });

  it('keeps unmodelled fields in providerOptions.openai and summarises unmodelled messages as text', () => {
    const request = fromOpenAIBatchLine(lines['a chat line with fields the model has no place for']);
    expect(request.providerOptions?.['openai']).toMatchObject({ max_tokens: 50, n: 2, logprobs: true, seed: 7, temperature: 3 });
    expect(request.temperature).toBeUndefined();
    expect(request.messages[0]).toEqual({ role: 'user', content: 'Rules' });
  });

  it('maps responses fields (instructions, max_output_tokens) and keeps the rest', () => {
    const request = fromOpenAIBatchLine(lines['a responses line with string input']);
    expect(request).toMatchObject({ system: 'Be kind', maxTokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
    expect(request.providerOptions?.['openai']).toEqual({ input: 'Hello', reasoning: { effort: 'low' } });
  });

  it('rejects a value that is not a batch line with a ValidationError naming the index and field', () => {
    let thrown: unknown;
    try {
      fromOpenAIBatchLine({ custom_id: 'x', method: 'GET', url: '/v1/chat/completions', body: {} }, 41);
    } catch (error) {
      thrown = error;
    }
    expect(ValidationError.isInstance(thrown)).toBe(true);
    expect((thrown as ValidationError).issues[0]).toMatchObject({ index: 41, id: 'x', field: 'method' });
  });

  it('refuses an endpoint it cannot build bodies for', () => {
    expect(() => toOpenAIBatchLine({ id: 'a', messages: [{ role: 'user', content: 'x' }] }, { endpoint: '/v1/moderations' })).toThrow(
      /endpoint.*\/v1\/moderations/,
    );
  });
});
