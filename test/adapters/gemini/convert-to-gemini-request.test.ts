import { describe, expect, it } from 'vitest';
import { convertToGeminiRequest } from '../../../src/adapters/gemini/convert-to-gemini-request.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { fromOpenAIBatchLine } from '../../../src/wire/openai/openai-batch-line.js';

describe('convertToGeminiRequest', () => {
  it('puts system text in systemInstruction, assistant turns as model turns and sampling in generationConfig', () => {
    expect(
      convertToGeminiRequest({
        id: 'a',
        system: 'Be brief.',
        messages: [
          { role: 'system', content: 'Answer in English.' },
          { role: 'user', content: 'Name a colour.' },
          { role: 'assistant', content: 'Blue.' },
          { role: 'user', content: [{ type: 'text', text: 'And this?' }, { type: 'image', url: 'data:image/jpeg;base64,AAAA' }] },
        ],
        maxTokens: 64,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
      }),
    ).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Name a colour.' }] },
        { role: 'model', parts: [{ text: 'Blue.' }] },
        { role: 'user', parts: [{ text: 'And this?' }, { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.\n\nAnswer in English.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
  });

  it('sends tools as functionDeclarations, a named tool choice as ANY with the one name, and tool turns by the call they answer', () => {
    const body = convertToGeminiRequest({
      id: 'weather',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', toolCallId: 'call_1', content: '{"celsius":21}' },
      ],
      tools: [{ name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: { name: 'get_weather' },
    });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { celsius: 21 } } }] },
    ]);
    expect(body.tools).toEqual([
      { functionDeclarations: [{ name: 'get_weather', description: 'Weather now', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it('asks for JSON with the schema for structured output', () => {
    const schema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] };
    const body = convertToGeminiRequest({ id: 'a', messages: [{ role: 'user', content: 'x' }], responseFormat: { type: 'json_schema', name: 'label', schema } });
    expect(body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
  });

  it('carries an OpenAI batch line: legacy max_tokens and seed go to generationConfig, a developer message to systemInstruction', () => {
    const request = fromOpenAIBatchLine({
      custom_id: 'line-1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-5.4-mini', messages: [{ role: 'developer', content: 'Be terse.' }, { role: 'user', content: 'Hi' }], max_tokens: 50, seed: 7, user: 'u1' },
    });
    const body = convertToGeminiRequest(request);
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be terse.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
    expect(body.generationConfig).toEqual({ maxOutputTokens: 50, seed: 7 });
  });

  it('refuses, in one ValidationError naming each field, what Gemini cannot express', () => {
    let caught: unknown;
    try {
      convertToGeminiRequest({
        id: 'bad',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image', url: 'https://example.com/picture' }] },
          { role: 'tool', toolCallId: 'unknown_call', content: 'x' },
        ],
        stop: ['1', '2', '3', '4', '5', '6'],
        providerOptions: { openai: { logit_bias: { 1: 2 } } },
      });
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    const fields = (caught as ValidationError).issues.map((issue) => issue.field);
    expect(fields).toEqual(['messages.0.content.1', 'messages.1.toolCallId', 'stop', 'providerOptions.openai.logit_bias']);
    expect((caught as ValidationError).issues.every((issue) => issue.id === 'bad')).toBe(true);
  });

  it('references a context cache and refuses a system instruction beside it', () => {
    const body = convertToGeminiRequest({ id: 'a', messages: [{ role: 'user', content: 'Q' }] }, { cachedContent: 'cachedContents/abc' });
    expect(body.cachedContent).toBe('cachedContents/abc');
    expect(() =>
      convertToGeminiRequest({ id: 'b', system: 'S', messages: [{ role: 'user', content: 'Q' }] }, { cachedContent: 'cachedContents/abc' }),
    ).toThrow(/cannot set a system instruction/);
  });

  it('merges providerOptions.gemini last, generationConfig key by key', () => {
    const body = convertToGeminiRequest({
      id: 'a',
      messages: [{ role: 'user', content: 'Q' }],
      maxTokens: 10,
      providerOptions: { gemini: { generationConfig: { thinkingConfig: { thinkingBudget: 0 } }, safetySettings: [] } },
    });
    expect(body.generationConfig).toEqual({ maxOutputTokens: 10, thinkingConfig: { thinkingBudget: 0 } });
    expect(body.safetySettings).toEqual([]);
  });
});
