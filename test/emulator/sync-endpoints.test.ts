import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { MockProviderServer, MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../support/emulator.js';
import { chatBody, openAIHeaders, postChat, postMessage } from './helpers.js';

const emulators = emulatorPerTest();

function start(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  return emulators.start(options);
}

function openai(url: string): OpenAI {
  return new OpenAI({ apiKey: 'test', baseURL: `${url}/v1`, maxRetries: 0 });
}

describe('OpenAI sync endpoints', () => {
  it('answers a chat completion with usage details', async () => {
    const { url } = await start();
    const completion = await openai(url).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toMatch(/\.$/);
    expect(completion.usage?.prompt_tokens).toBe(Math.ceil('Hello there'.length / 4));
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
  });

  it('gives the same answer to the same request and differs with the seed', async () => {
    const first = await start({ seed: 7 });
    const client = openai(first.url);
    const ask = async (target: OpenAI) => (await target.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Same question' }] })).choices[0]?.message.content;
    const answer = await ask(client);
    expect(await ask(client)).toBe(answer);
    await first.close();
    const second = await start({ seed: 7 });
    expect(await ask(openai(second.url))).toBe(answer);
    await second.close();
    const third = await start({ seed: 8 });
    expect(await ask(openai(third.url))).not.toBe(answer);
  });

  it('truncates to max_completion_tokens with finish_reason length', async () => {
    const { url } = await start({ respond: () => ({ text: 'word '.repeat(100) }) });
    const completion = await openai(url).chat.completions.create({ model: 'gpt-4o-mini', max_completion_tokens: 3, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('answers structured output requests with JSON valid for the schema', async () => {
    const { url } = await start();
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        score: { type: 'number', minimum: 0, maximum: 1 },
        count: { type: 'integer' },
        ok: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
        nested: { type: 'object', properties: { level: { type: 'string', enum: ['low', 'high'] } }, required: ['level'], additionalProperties: false },
      },
      required: ['name', 'score', 'count', 'ok', 'tags', 'nested'],
      additionalProperties: false,
    };
    const completion = await openai(url).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Rate it' }],
      response_format: { type: 'json_schema', json_schema: { name: 'rating', schema, strict: true } },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? '') as Record<string, unknown>;
    expect(parsed).toMatchObject({ name: expect.any(String), score: expect.any(Number), ok: expect.any(Boolean), tags: expect.any(Array), nested: { level: expect.stringMatching(/^(low|high)$/) } });
    expect(Number.isInteger(parsed.count)).toBe(true);

    const response = await openai(url).responses.create({ model: 'gpt-5-mini', input: 'Rate it', text: { format: { type: 'json_schema', name: 'rating', schema, strict: true } } });
    expect(JSON.parse(response.output_text)).toMatchObject({ nested: { level: expect.any(String) } });
  });

  it('answers tool_choice required with a tool call', async () => {
    const { url } = await start();
    const completion = await openai(url).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      tool_choice: 'required',
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')).toEqual({ city: expect.any(String) });
  });

  it('answers responses and embeddings', async () => {
    const { url } = await start();
    const response = await openai(url).responses.create({ model: 'gpt-5-mini', input: [{ role: 'user', content: 'Hello' }] });
    expect(response.status).toBe('completed');
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(0);
    const embeddings = await openai(url).embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 8 });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding).toHaveLength(8);
  });

  it.each([
    ['/v1/chat/completions', { messages: [] }, 'model'],
    ['/v1/chat/completions', { model: 'gpt-4o-mini' }, 'messages'],
    ['/v1/responses', { model: 'gpt-5-mini' }, 'input'],
    ['/v1/embeddings', { model: 'text-embedding-3-small' }, 'input'],
  ])('rejects %s without required fields with a 400 error body', async (path, body, param) => {
    const { url } = await start();
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: openAIHeaders, body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param, code: expect.any(String) } });
  });

  it('answers unknown routes with a provider 404', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/v1/nothing`, { headers: openAIHeaders });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('authentication', () => {
  it('answers a missing OpenAI key with the invalid_api_key body', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody() });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  });

  it('answers a missing Anthropic key with authentication_error', async () => {
    const { url } = await start();
    const response = await postMessage(url, undefined, { 'x-api-key': '' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('accepts only the configured keys', async () => {
    const { url } = await start({ apiKeys: ['good'] });
    expect((await postChat(url, undefined, { authorization: 'Bearer bad' })).status).toBe(401);
    expect((await postChat(url, undefined, { authorization: 'Bearer good' })).status).toBe(200);
    expect((await postMessage(url, undefined, { 'x-api-key': 'bad' })).status).toBe(401);
    expect((await postMessage(url, undefined, { 'x-api-key': 'good' })).status).toBe(200);
  });
});

describe('journal and statistics', () => {
  it('records requests without keys or bodies by default', async () => {
    const { url, journal } = await start();
    await postChat(url, undefined, { authorization: 'Bearer sk-secret-key' });
    await postMessage(url, undefined, { 'x-api-key': 'sk-ant-secret' });
    expect(journal).toHaveLength(2);
    expect(journal[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, provider: 'openai', endpoint: 'chat.completions' });
    expect(journal[1]).toMatchObject({ provider: 'anthropic', endpoint: 'messages', status: 200 });
    expect(journal[0]?.body).toBeUndefined();
    expect(JSON.stringify(journal)).not.toContain('secret');
  });

  it('keeps bodies and headers, still without keys, when journalBodies is set', async () => {
    const { url, journal } = await start({ journalBodies: true });
    await postChat(url, chatBody('Remember me'), { authorization: 'Bearer sk-secret-key' });
    await postMessage(url, undefined, { 'x-api-key': 'sk-ant-secret' });
    expect(journal[0]?.body).toMatchObject({ messages: [{ content: 'Remember me' }] });
    expect(journal[0]?.headers?.['content-type']).toBe('application/json');
    expect(JSON.stringify(journal)).not.toContain('secret');
  });

  it('counts successful calls by key and batches created', async () => {
    const { url, stats } = await start();
    await postChat(url, chatBody('alpha'));
    await postChat(url, chatBody('alpha'));
    await postChat(url, chatBody('beta'), { 'x-mock-key': 'item-7' });
    await postMessage(url);
    const counters = stats();
    expect(counters.successfulCalls).toEqual({ openai: 3, anthropic: 1, gemini: 0 });
    expect(counters.successfulCallsByKey).toMatchObject({ alpha: 2, 'item-7': 1, Hello: 1 });
    expect(counters.byEndpoint['chat.completions']).toBe(3);
  });
});

describe('latency', () => {
  it('delays generation endpoints by the fixed latency', async () => {
    const { url } = await start({ latency: 150 });
    const started = performance.now();
    await postChat(url);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('draws from a distribution around p50', async () => {
    const { url, journal } = await start({ latency: { 'chat.completions': { p50: 40, p99: 120 } } });
    await Promise.all(Array.from({ length: 30 }, () => postChat(url)));
    const durations = journal.map((entry) => entry.durationMs).sort((left, right) => left - right);
    const median = durations[15] ?? 0;
    expect(median).toBeGreaterThan(15);
    expect(median).toBeLessThan(200);
  });
});

describe('load', () => {
  it('serves 1,000 concurrent chat requests without errors', async () => {
    const { url, stats } = await start();
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, async (_, index) => {
        const response = await postChat(url, chatBody(`Question ${index}`));
        await response.json();
        return response.status;
      }),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(stats().successfulCalls.openai).toBe(1000);
  });
});
