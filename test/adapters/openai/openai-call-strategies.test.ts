import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiChat } from '../../../src/adapters/openai/openai-chat-strategy.js';
import { openaiResponses } from '../../../src/adapters/openai/openai-responses-strategy.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';

const apiKey = 'sk-test-strategies';
let server: MockProviderServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request: BatchRequest = { id: 'a', model: 'gpt-4.1-mini', maxTokens: 32, messages: [{ role: 'user', content: 'Hello there' }] };
const callContext = () => ({ attempt: 1, signal: new AbortController().signal, timeoutMs: 30_000 });

describe.each([
  ['openaiChat', openaiChat],
  ['openaiResponses', openaiResponses],
] as const)('%s', (_name, strategy) => {
  it('makes one call and returns text, finish reason, usage, model and the response headers', async () => {
    server = await createMockProviderServer({ rateLimit: { requestsPerMinute: 1000 } });
    const output = await strategy({ apiKey, baseURL: `${server.url}/v1` }).call(request, callContext());
    expect(output.text.length).toBeGreaterThan(0);
    expect(output.finishReason).toBe('stop');
    expect(output.usage.inputTokens).toBeGreaterThan(0);
    expect(output.model).toEqual(expect.any(String));
    expect(new Headers(output.headers as Headers).get('x-ratelimit-limit-requests')).toBe('1000');
    expect(server.stats().successfulCalls.openai).toBe(1);
  });

  it('returns tool calls', async () => {
    server = await createMockProviderServer({ respond: () => ({ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }], finishReason: 'tool_calls' }) });
    const output = await strategy({ apiKey, baseURL: `${server.url}/v1` }).call(
      { ...request, tools: [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }] },
      callContext(),
    );
    expect(output.finishReason).toBe('tool_calls');
    expect(output.toolCalls).toEqual([expect.objectContaining({ name: 'lookup', arguments: '{"q":"x"}' })]);
  });

  it('throws the SDK error as is, without retrying (maxRetries 0)', async () => {
    server = await createMockProviderServer({ respond: () => ({ status: 503, error: { message: 'overloaded' } }) });
    const error = await strategy({ apiKey, baseURL: `${server.url}/v1` })
      .call(request, callContext())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(503);
    expect(server.stats().requests).toBe(1);
  });

  it('merges endpointOptions under the request provider options', () => {
    const preview = strategy({ apiKey, endpointOptions: { service_tier: 'flex', user: 'batch' } }).preview?.({
      ...request,
      providerOptions: { openai: { user: 'override' } },
    });
    expect(preview).toMatchObject({ service_tier: 'flex', user: 'override' });
  });

  it('rejects a bad option with a ValidationError naming it', () => {
    expect(() => strategy({ apiKey, model: '' })).toThrow(/option "model" must be a non-empty string, got ""/);
  });
});
