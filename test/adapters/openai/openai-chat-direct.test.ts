import OpenAI, { type APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { openaiChat } from '../../../src/adapters/openai/openai-chat-strategy.js';
import { createKeepAliveFetch } from '../../../src/http/keep-alive-fetch.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { CallStrategy } from '../../../src/provider/call-strategy.js';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from '../../../src/testing/mock-server/index.js';

// openaiChat() with the client it makes itself sends its calls over the keep-alive transport
// directly (src/adapters/openai/direct-openai-call.ts); with a `fetch` of the caller's it goes
// through the SDK (here over the same transport, as the default was before). Both paths must send the same request and answer with the same output and the
// same errors: the direct one is only cheaper.
const apiKey = 'sk-test-direct-path-0123456789';
const request: BatchRequest = { id: 'a', model: 'gpt-4.1-mini', maxTokens: 32, messages: [{ role: 'user', content: 'Hello there' }] };
const callContext = (signal = new AbortController().signal) => ({ attempt: 1, signal, timeoutMs: 30_000 });
let server: MockProviderServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function bothPaths(options: MockProviderServerOptions): Promise<{ direct: CallStrategy; sdk: CallStrategy }> {
  server = await createMockProviderServer({ journalBodies: true, ...options });
  const baseURL = `${server.url}/v1`;
  return { direct: openaiChat({ apiKey, baseURL, organization: 'org-direct', project: 'proj-direct' }), sdk: openaiChat({ apiKey, baseURL, organization: 'org-direct', project: 'proj-direct', fetch: createKeepAliveFetch() }) };
}

async function failureOf(strategy: CallStrategy): Promise<APIError> {
  const error: unknown = await strategy.call(request, callContext()).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as APIError;
}

describe('openaiChat direct path', () => {
  it('sends the same headers and body as the SDK and returns the same output', async () => {
    const { direct, sdk } = await bothPaths({ seed: 3 });
    const viaDirect = await direct.call(request, callContext());
    const viaSdk = await sdk.call(request, callContext());
    expect(viaDirect.text).toBe(viaSdk.text);
    expect(viaDirect.usage).toEqual(viaSdk.usage);
    expect(viaDirect.finishReason).toBe(viaSdk.finishReason);
    expect(viaDirect.model).toBe(viaSdk.model);
    expect(new Headers(viaDirect.headers as Record<string, string>).get('content-type')).toContain('application/json');
    const [first, second] = server!.journal;
    expect(first?.body).toEqual(second?.body);
    // The journal drops the key's header; every other header the SDK sends is sent the same way.
    const { host: _firstHost, connection: _firstConnection, ...firstHeaders } = first?.headers ?? {};
    const { host: _secondHost, connection: _secondConnection, ...secondHeaders } = second?.headers ?? {};
    expect(firstHeaders).toEqual(secondHeaders);
    expect(firstHeaders).toMatchObject({ 'openai-organization': 'org-direct', 'openai-project': 'proj-direct', 'content-type': 'application/json' });
    expect(server!.stats().successfulCalls.openai).toBe(2);
  });

  it('throws the SDK error classes with the same status, message and headers', async () => {
    for (const faults of [{ rates: { '429': 1 }, retryAfterMs: 2000 }, { rate: 1, kinds: ['500' as const] }, { rate: 1, kinds: ['503' as const] }]) {
      const { direct, sdk } = await bothPaths({ faults });
      const viaDirect = await failureOf(direct);
      const viaSdk = await failureOf(sdk);
      expect(viaDirect.constructor).toBe(viaSdk.constructor);
      expect(viaDirect.status).toBe(viaSdk.status);
      expect(viaDirect.message).toBe(viaSdk.message);
      expect(viaDirect.error).toEqual(viaSdk.error);
      expect(viaDirect.headers?.get('retry-after')).toBe(viaSdk.headers?.get('retry-after'));
      await server!.close();
      server = undefined;
    }
  });

  it('reports a refused connection as the SDK does', async () => {
    const { direct, sdk } = await bothPaths({});
    await server!.close();
    server = undefined;
    const viaDirect = await failureOf(direct);
    const viaSdk = await failureOf(sdk);
    expect(viaDirect).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(viaDirect.constructor).toBe(viaSdk.constructor);
    expect(viaDirect.message).toBe(viaSdk.message);
  });

  it('ends a call when its signal aborts, as the SDK does', async () => {
    server = await createMockProviderServer({ latency: 5_000 });
    const strategy = openaiChat({ apiKey, baseURL: `${server.url}/v1` });
    const controller = new AbortController();
    const pending = strategy.call(request, callContext(controller.signal));
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
