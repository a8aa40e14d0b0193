import { describe, expect, it } from 'vitest';
import { convertToOpenAIChatBody } from '../../../src/wire/openai/convert-to-openai-chat-body.js';
import { convertToOpenAIRequestBody } from '../../../src/wire/openai/convert-to-openai-request-body.js';
import { convertToOpenAIResponsesBody } from '../../../src/wire/openai/convert-to-openai-responses-body.js';
import { applyOpenAIModelRules } from '../../../src/adapters/openai/openai-model-rules.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';

const conversation: BatchRequest = {
  id: 'weather-1',
  model: 'gpt-4.1-mini',
  system: 'Be brief.',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image', data: 'AAAA', mediaType: 'image/jpeg' }] },
    { role: 'system', content: 'Answer in French.' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', content: '{"celsius":21}', toolCallId: 'call_1' },
  ],
  maxTokens: 200,
  temperature: 0.2,
  topP: 0.9,
  stop: ['END'],
  tools: [{ name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  toolChoice: { name: 'weather' },
  responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
  providerOptions: { openai: { service_tier: 'flex', temperature: 0.3 } },
};

describe('convertToOpenAIChatBody', () => {
  it('translates every request field into a Chat Completions body, provider options last', () => {
    expect(convertToOpenAIChatBody(conversation).body).toMatchInlineSnapshot(`
      {
        "max_completion_tokens": 200,
        "messages": [
          {
            "content": "Be brief.",
            "role": "system",
          },
          {
            "content": "Answer in French.",
            "role": "system",
          },
          {
            "content": [
              {
                "text": "Weather here?",
                "type": "text",
              },
              {
                "image_url": {
                  "url": "data:image/jpeg;base64,AAAA",
                },
                "type": "image_url",
              },
            ],
            "role": "user",
          },
          {
            "content": null,
            "role": "assistant",
            "tool_calls": [
              {
                "function": {
                  "arguments": "{"city":"Paris"}",
                  "name": "weather",
                },
                "id": "call_1",
                "type": "function",
              },
            ],
          },
          {
            "content": "{"celsius":21}",
            "role": "tool",
            "tool_call_id": "call_1",
          },
        ],
        "model": "gpt-4.1-mini",
        "response_format": {
          "json_schema": {
            "name": "answer",
            "schema": {
              "type": "object",
            },
            "strict": true,
          },
          "type": "json_schema",
        },
        "service_tier": "flex",
        "stop": [
          "END",
        ],
        "temperature": 0.3,
        "tool_choice": {
          "function": {
            "name": "weather",
          },
          "type": "function",
        },
        "tools": [
          {
            "function": {
              "description": "Current weather",
              "name": "weather",
              "parameters": {
                "properties": {
                  "city": {
                    "type": "string",
                  },
                },
                "type": "object",
              },
            },
            "type": "function",
          },
        ],
        "top_p": 0.9,
      }
    `);
  });

  it('uses the fallback model only when the request names none', () => {
    expect(convertToOpenAIChatBody({ id: 'a', messages: [{ role: 'user', content: 'x' }] }, { model: 'gpt-4o' }).body['model']).toBe('gpt-4o');
    expect(convertToOpenAIChatBody({ id: 'a', model: 'o3', messages: [{ role: 'user', content: 'x' }] }, { model: 'gpt-4o' }).body['model']).toBe('o3');
  });
});

describe('convertToOpenAIResponsesBody', () => {
  it('puts system text in instructions, messages in input items and the format in text.format', () => {
    const { body, dropped } = convertToOpenAIResponsesBody({ ...conversation, providerOptions: undefined });
    expect(body['instructions']).toBe('Be brief.');
    expect(body['max_output_tokens']).toBe(200);
    expect(body['text']).toEqual({ format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } });
    expect(body['tool_choice']).toEqual({ type: 'function', name: 'weather' });
    expect(body['input']).toEqual([
      { role: 'user', content: [{ type: 'input_text', text: 'Weather here?' }, { type: 'input_image', image_url: 'data:image/jpeg;base64,AAAA' }] },
      { role: 'system', content: 'Answer in French.' },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"celsius":21}' },
    ]);
    expect(dropped.map((entry) => entry.parameter)).toEqual(['stop']);
  });
});

describe('embeddings bodies', () => {
  it('take the input from providerOptions.openai and send no messages', () => {
    const { body } = convertToOpenAIRequestBody(
      { id: 'e', model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'ignored' }], providerOptions: { openai: { input: ['a', 'b'] } } },
      '/v1/embeddings',
    );
    expect(body).toEqual({ model: 'text-embedding-3-small', input: ['a', 'b'] });
  });
});

describe('applyOpenAIModelRules', () => {
  it.each(['gpt-5-mini', 'o1', 'o3-mini', 'o4-mini-2025-04-16'])('drops temperature and top_p for %s', (model) => {
    const body = { model, temperature: 0.1, top_p: 0.5, messages: [] };
    const result = applyOpenAIModelRules(body);
    expect(result.body).toEqual({ model, messages: [] });
    expect(result.dropped.map((entry) => entry.parameter)).toEqual(['temperature', 'top_p']);
    expect(body.temperature).toBe(0.1);
  });

  it('leaves other models untouched', () => {
    const body = { model: 'gpt-4.1', temperature: 0.1 };
    expect(applyOpenAIModelRules(body)).toEqual({ body, dropped: [] });
  });
});
