import { describe, expect, it } from 'vitest';
import { convertToAnthropicParams } from '../../../src/adapters/anthropic/convert-to-anthropic-params.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';

const base: BatchRequest = { id: 'r1', model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] };
const convert = (request: Partial<BatchRequest>) =>
  convertToAnthropicParams({ ...base, ...request }, { defaultMaxTokens: 4096 });

describe('convertToAnthropicParams', () => {
  it('builds a minimal body with the default max_tokens and reports that it was used', () => {
    const converted = convert({});
    expect(converted.usedDefaultMaxTokens).toBe(true);
    expect(converted.params).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('keeps the request maxTokens and does not report the default', () => {
    const converted = convert({ maxTokens: 50 });
    expect(converted.usedDefaultMaxTokens).toBe(false);
    expect(converted.params.max_tokens).toBe(50);
  });

  it('lifts request.system and system messages into system, in order', () => {
    const { params } = convert({
      system: 'Be brief.',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(params.system).toBe('Be brief.\n\nAnswer in French.');
    expect(params.messages).toHaveLength(1);
  });

  it('maps stop, sampling, tools and every tool choice', () => {
    const { params } = convert({
      stop: 'END',
      temperature: 0.2,
      topP: 0.9,
      tools: [{ name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      toolChoice: 'required',
    });
    expect(params.stop_sequences).toEqual(['END']);
    expect(params.temperature).toBe(0.2);
    expect(params.top_p).toBe(0.9);
    expect(params.tools).toEqual([
      { name: 'lookup', description: 'Looks up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } },
    ]);
    expect(params.tool_choice).toEqual({ type: 'any' });
    expect(convert({ toolChoice: 'auto' }).params.tool_choice).toEqual({ type: 'auto' });
    expect(convert({ toolChoice: 'none' }).params.tool_choice).toEqual({ type: 'none' });
    expect(convert({ toolChoice: { name: 'lookup' } }).params.tool_choice).toEqual({ type: 'tool', name: 'lookup' });
  });

  it('turns assistant tool calls into tool_use blocks and tool messages into one user turn of tool_result blocks', () => {
    const { params } = convert({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
            { id: 'call_2', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_1', content: 'sunny' },
        { role: 'tool', toolCallId: 'call_2', content: 'rain' },
      ],
    });
    expect(params.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'rain' },
        ],
      },
    ]);
  });

  it('converts image parts given as URL, data URL and base64 data', () => {
    const { params } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', url: 'https://example.com/a.png' },
            { type: 'image', url: 'data:image/jpeg;base64,AAAA' },
            { type: 'image', data: 'BBBB', mediaType: 'image/webp' },
          ],
        },
      ],
    });
    expect(params.messages[0]?.content).toEqual([
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'BBBB' } },
    ]);
  });

  it('maps a json_schema response format to output_config.format', () => {
    const schema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] };
    const { params } = convert({ responseFormat: { type: 'json_schema', name: 'label', schema } });
    expect(params.output_config).toEqual({ format: { type: 'json_schema', schema } });
  });

  it('merges providerOptions.anthropic last, over the converted fields', () => {
    const { params } = convert({ maxTokens: 10, providerOptions: { anthropic: { max_tokens: 99, service_tier: 'standard_only' } } });
    expect(params.max_tokens).toBe(99);
    expect(params.service_tier).toBe('standard_only');
  });

  it('uses the fallback model and refuses a request without any model', () => {
    const withoutModel: BatchRequest = { id: 'r2', messages: [{ role: 'user', content: 'x' }] };
    expect(convertToAnthropicParams(withoutModel, { defaultMaxTokens: 1, model: 'claude-x' }).params.model).toBe('claude-x');
    expect(() => convertToAnthropicParams(withoutModel, { defaultMaxTokens: 1 })).toThrow(/r2.*no model/);
  });

  it('refuses a tool message without toolCallId and tool call arguments that are not JSON', () => {
    expect(() => convert({ messages: [{ role: 'tool', content: 'x' }] })).toThrow(/toolCallId/);
    expect(() =>
      convert({ messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'n', arguments: '{oops' }] }] }),
    ).toThrow(/not valid JSON/);
  });
});

describe('convertToAnthropicParams with requests from OpenAI batch lines', () => {
  it('uses the legacy OpenAI max_tokens kept in providerOptions.openai', () => {
    const converted = convertToAnthropicParams(
      { ...base, providerOptions: { openai: { max_tokens: 30, logprobs: true } } },
      { defaultMaxTokens: 4096 },
    );
    expect(converted.usedDefaultMaxTokens).toBe(false);
    expect(converted.params).not.toHaveProperty('logprobs');
    expect(converted.params.max_tokens).toBe(30);
  });
});
