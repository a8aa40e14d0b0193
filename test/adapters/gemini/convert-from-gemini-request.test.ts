import { describe, expect, it } from 'vitest';
import { convertFromGeminiRequest } from '../../../src/adapters/gemini/convert-from-gemini-request.js';
import { convertToGeminiRequest } from '../../../src/adapters/gemini/convert-to-gemini-request.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { batchRequestSchema } from '../../../src/models/batch-request.js';

const request = {
  contents: [
    { role: 'user', parts: [{ text: 'Name a colour.' }] },
    { role: 'model', parts: [{ text: 'Blue.' }] },
    { role: 'user', parts: [{ text: 'And this?' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
  ],
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  generationConfig: { maxOutputTokens: 64, temperature: 0.3, thinkingConfig: { thinkingBudget: 0 } },
  safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
};

describe('convertFromGeminiRequest (attach reads a batch made elsewhere)', () => {
  it('a file line: the key is the id, the turns are summarised, and the way back gives the same request', () => {
    const converted = convertFromGeminiRequest({ key: 'row-1', request }, 'gemini-2.5-flash', 0);
    expect(batchRequestSchema.parse(converted)).toMatchObject({
      id: 'row-1',
      model: 'gemini-2.5-flash',
      system: 'Be brief.',
      maxTokens: 64,
      messages: [
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Blue.' },
        { role: 'user', content: 'And this?' },
      ],
    });
    // What a retry sends is what was sent before.
    expect(convertToGeminiRequest(converted)).toEqual(request);
  });

  it('an inline request: the key from metadata, else the fallback id', () => {
    expect(convertFromGeminiRequest({ request, metadata: { key: 'k-9' } }, undefined, 3).id).toBe('k-9');
    expect(convertFromGeminiRequest({ request }, undefined, 3, 'request-4').id).toBe('request-4');
  });

  it('a line without a request or with a key that is no request id is a ValidationError naming it', () => {
    expect(() => convertFromGeminiRequest({ key: 'a' }, undefined, 0)).toThrow(ValidationError);
    expect(() => convertFromGeminiRequest({ key: 'not an id!', request }, undefined, 5)).toThrow(/5.*key|key.*not an id/s);
    expect(() => convertFromGeminiRequest({ request }, undefined, 0)).toThrow(/key/);
  });
});
