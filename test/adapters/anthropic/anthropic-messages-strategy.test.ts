import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../../src/adapters/anthropic/anthropic-messages-strategy.js';
import { classifyError } from '../../../src/errors/classify-error.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const callContext = () => ({ attempt: 1, signal: new AbortController().signal, timeoutMs: 30_000 });

describe('anthropicMessages', () => {
  it('returns text, finish reason, usage, model and the response headers of one call', async () => {
    server = await createMockProviderServer({
      respond: () => ({ text: 'Bonjour', usage: { inputTokens: 12, outputTokens: 3, cachedTokens: 5 } }),
      rateLimit: { requestsPerMinute: 1000 },
    });
    const strategy = anthropicMessages({ apiKey: 'test-key', baseURL: server.url });
    const output = await strategy.call(
      { id: 'a', model: 'claude-haiku-4-5', maxTokens: 50, messages: [{ role: 'user', content: 'Hello' }] },
      callContext(),
    );
    expect(output).toMatchObject({ text: 'Bonjour', finishReason: 'stop', rawFinishReason: 'end_turn', model: 'claude-haiku-4-5' });
    expect(output.usage.outputTokens).toBe(3);
    expect(output.usage.cachedInputTokens).toBe(5);
    expect(output.headers).toBeInstanceOf(Headers);
    expect((output.headers as Headers).get('anthropic-ratelimit-requests-limit')).toBe('1000');
  });

  it('throws the SDK error without retrying it, classifiable as overloaded', async () => {
    server = await createMockProviderServer({ faults: { rates: { '529': 1 } } });
    const strategy = anthropicMessages({ apiKey: 'test-key', baseURL: server.url });
    const error = await strategy
      .call({ id: 'a', model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hello' }] }, callContext())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(classifyError(error)).toMatchObject({ category: 'overloaded', retryable: true });
    expect(server.journal.filter((entry) => entry.endpoint === 'messages')).toHaveLength(1);
  });

  it('sends a large max_tokens without the SDK refusing a non-streaming call', async () => {
    server = await createMockProviderServer({ journalBodies: true });
    const strategy = anthropicMessages({ apiKey: 'test-key', baseURL: server.url, defaultMaxTokens: 64_000 });
    const output = await strategy.call({ id: 'a', model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] }, callContext());
    expect(output.finishReason).toBe('stop');
    expect((server.journal.at(-1)?.body as { max_tokens: number }).max_tokens).toBe(64_000);
  });

  it('stops a call when its signal aborts', async () => {
    server = await createMockProviderServer({ latency: { messages: 60_000 } });
    const strategy = anthropicMessages({ apiKey: 'test-key', baseURL: server.url });
    const controller = new AbortController();
    const call = strategy.call(
      { id: 'a', model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] },
      { attempt: 1, signal: controller.signal, timeoutMs: 120_000 },
    );
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
  });
});
