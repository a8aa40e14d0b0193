import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { MockProviderServer, MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../support/emulator.js';

const emulators = emulatorPerTest();

async function start(options: MockProviderServerOptions = {}): Promise<{ server: MockProviderServer; ai: GoogleGenAI }> {
  const server = await emulators.start(options);
  return { server, ai: gemini(server.url) };
}

function gemini(url: string, apiKey = 'test-key', headers: Record<string, string> = {}): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: url, headers } });
}

/** The parsed JSON body of an SDK ApiError (the SDK puts the whole error body in `message`). */
async function apiError(promise: Promise<unknown>): Promise<{ status: number; body: { error: { code: number; message: string; status: string; details?: Record<string, unknown>[] } } }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const apiErrorValue = error as ApiError;
    return { status: apiErrorValue.status, body: JSON.parse(apiErrorValue.message) as never };
  }
  throw new Error('expected the call to fail');
}

describe('Gemini generateContent through @google/genai', () => {
  it('answers with text, finishReason and usageMetadata, and journals the call', async () => {
    const { server, ai } = await start();
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello there, Gemini' });
    expect(response.text).toMatch(/\.$/);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.candidates?.[0]?.content?.role).toBe('model');
    expect(response.modelVersion).toBe('gemini-2.5-flash');
    const usage = response.usageMetadata;
    expect(usage?.promptTokenCount).toBe(Math.ceil('Hello there, Gemini'.length / 4));
    expect(usage?.totalTokenCount).toBe((usage?.promptTokenCount ?? 0) + (usage?.candidatesTokenCount ?? 0));
    expect(usage?.cachedContentTokenCount).toBeUndefined();
    const entry = server.journal.at(-1);
    expect(entry).toMatchObject({ provider: 'gemini', endpoint: 'gemini.generateContent', path: '/v1beta/models/gemini-2.5-flash:generateContent', status: 200 });
    const stats = server.stats();
    expect(stats.successfulCalls.gemini).toBe(1);
    expect(stats.successfulCallsByKey['Hello there, Gemini']).toBe(1);
  });

  it('reports scripted thinking and cached tokens, and MAX_TOKENS when cut', async () => {
    const { ai } = await start({
      respond: (request) => (request.provider === 'gemini' && JSON.stringify(request.body).includes('think') ? { usage: { reasoningTokens: 40 } } : { text: 'word '.repeat(100) }),
    });
    const thought = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'think hard' });
    expect(thought.usageMetadata?.thoughtsTokenCount).toBe(40);
    expect(thought.usageMetadata?.totalTokenCount).toBe((thought.usageMetadata?.promptTokenCount ?? 0) + (thought.usageMetadata?.candidatesTokenCount ?? 0) + 40);
    const cut = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi', config: { maxOutputTokens: 3 } });
    expect(cut.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(cut.usageMetadata?.candidatesTokenCount).toBe(3);
  });

  it('answers JSON valid for responseSchema and responseJsonSchema', async () => {
    const { ai } = await start();
    const typed = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'A city',
      config: { responseMimeType: 'application/json', responseSchema: { type: Type.OBJECT, properties: { name: { type: Type.STRING }, population: { type: Type.INTEGER } }, required: ['name', 'population'] } },
    });
    const city = JSON.parse(typed.text ?? '') as { name: unknown; population: unknown };
    expect(typeof city.name).toBe('string');
    expect(Number.isInteger(city.population)).toBe(true);
    const json = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'A list',
      config: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } }, required: ['items'] } },
    });
    expect(Array.isArray((JSON.parse(json.text ?? '') as { items: unknown }).items)).toBe(true);
  });

  it('makes the function call a tool config forces, and a scripted one', async () => {
    const { ai } = await start({ respond: (request) => (JSON.stringify(request.body).includes('weather') ? { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] } : undefined) });
    const tools = [{ functionDeclarations: [{ name: 'lookup', parametersJsonSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } }] }];
    const forced = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Find item',
      config: { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } },
    });
    expect(forced.functionCalls?.[0]?.name).toBe('lookup');
    expect(Number.isInteger((forced.functionCalls?.[0]?.args as { id: unknown }).id)).toBe(true);
    expect(forced.candidates?.[0]?.finishReason).toBe('STOP');
    const scripted = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'What is the weather?' });
    expect(scripted.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Oslo' } }]);
  });

  it('answers 429 RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo, in the real wording', async () => {
    const { ai, server } = await start({ faults: { retryAfterMs: 1000 } });
    const faulty = gemini(server.url, 'test-key', { 'x-mock-fault': '429' });
    const { status, body } = await apiError(faulty.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }));
    expect(status).toBe(429);
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.message).toMatch(/^You exceeded your current quota, please check your plan and billing details/);
    expect(body.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' });
    const quota = body.error.details?.find((detail) => detail['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure') as { violations: { quotaId: string; quotaDimensions: { model: string } }[] };
    expect(quota.violations[0]).toMatchObject({ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaDimensions: { model: 'gemini-2.5-flash' } });
    // The daily quota has no RetryInfo.
    const daily = await apiError(gemini(server.url, 'k', { 'x-mock-fault': 'insufficient_quota' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }));
    expect(daily.body.error.details?.some((detail) => detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')).toBe(false);
    expect(JSON.stringify(daily.body)).toContain('GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    // Without the header the same client succeeds: the fault was forced for one request.
    expect((await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' })).text).toBeTruthy();
    expect(server.stats().faults['429']).toBe(1);
  });

  it('rate limits Gemini on its own budget and answers with a RetryInfo', async () => {
    const { server, ai } = await start({ rateLimit: { gemini: { requestsPerMinute: 1 } } });
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'one' });
    const { status, body } = await apiError(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'two' }));
    expect(status).toBe(429);
    const retry = body.error.details?.find((detail) => detail['@type'] === 'type.googleapis.com/google.rpc.RetryInfo') as { retryDelay: string };
    expect(retry.retryDelay).toMatch(/^(59|60)s$/);
    expect(server.stats().rateLimited).toBe(1);
  });

  it('answers 503 UNAVAILABLE and 500 INTERNAL faults', async () => {
    const { server } = await start();
    const unavailable = await apiError(gemini(server.url, 'k', { 'x-mock-fault': '503' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }));
    expect(unavailable).toMatchObject({ status: 503, body: { error: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' } } });
    const internal = await apiError(gemini(server.url, 'k', { 'x-mock-fault': '500' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }));
    expect(internal).toMatchObject({ status: 500, body: { error: { code: 500, status: 'INTERNAL' } } });
  });

  it('answers 400 INVALID_ARGUMENT for bad requests, naming each problem', async () => {
    const { server } = await start();
    const response = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'assistant', parts: [] }], generationConfig: { responseMimeType: 'text/csv' } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).toContain('contents[0].role');
    expect(body.error.message).toContain('contents[0].parts');
    expect(body.error.message).toContain('response_mime_type');
    const sdk = await apiError(gemini(server.url).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi', config: { responseSchema: { type: Type.STRING } } }));
    expect(sdk).toMatchObject({ status: 400, body: { error: { status: 'INVALID_ARGUMENT' } } });
    expect(sdk.body.error.message).toContain('response_schema');
  });

  it('refuses a missing key with 403 and a wrong one with 400 API_KEY_INVALID, and keeps keys out of the journal', async () => {
    const { server } = await start({ apiKeys: ['good-key'], journalBodies: true });
    const missing = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(403);
    const wrong = await apiError(gemini(server.url, 'bad-key').models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }));
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('API_KEY_INVALID');
    const ok = await gemini(server.url, 'good-key').models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(ok.text).toBeTruthy();
    const byQuery = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:countTokens?key=good-key`, { method: 'POST', body: JSON.stringify({ contents: [{ parts: [{ text: 'Hi' }] }] }) });
    expect(await byQuery.json()).toMatchObject({ totalTokens: 1 });
    expect(JSON.stringify(server.journal)).not.toContain('good-key');
    expect(JSON.stringify(server.journal)).not.toContain('bad-key');
  });

  it('blocks a prompt with the safety fault and a candidate with a scripted content_filter', async () => {
    const { server } = await start({ respond: (request) => (JSON.stringify(request.body).includes('unsafe') ? { finishReason: 'content_filter' } : undefined) });
    const blocked = await gemini(server.url, 'k', { 'x-mock-fault': 'safety' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY');
    expect(blocked.candidates).toBeUndefined();
    expect(blocked.text).toBeUndefined();
    const candidate = await gemini(server.url).models.generateContent({ model: 'gemini-2.5-flash', contents: 'something unsafe' });
    expect(candidate.candidates?.[0]?.finishReason).toBe('SAFETY');
    expect(candidate.candidates?.[0]?.content).toBeUndefined();
    expect(server.stats().faults.safety).toBe(1);
  });

  it('draws safety blocks at a rate only on generateContent', async () => {
    const { ai } = await start({ faults: { rates: { safety: 1 } } });
    const blocked = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(blocked.promptFeedback?.blockReason).toBe('SAFETY');
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'Hi there' });
    expect(count.totalTokens).toBe(2);
  });

  it('answers malformed JSON with the malformed fault', async () => {
    const { server } = await start();
    await expect(gemini(server.url, 'k', { 'x-mock-fault': 'malformed' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' })).rejects.toThrow();
  });
});
