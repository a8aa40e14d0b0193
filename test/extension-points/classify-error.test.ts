import { afterEach, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, fixedDelay, memoryStore, type BatchRequest, type ErrorClassification } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request = (id: string, prompt: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user', content: prompt }] });

/** The emulator answers the first call of the prompt "gateway" with a 400 that is really a timeout. */
async function gatewayServer(): Promise<MockProviderServer> {
  const seen = new Set<string>();
  return createMockProviderServer({
    respond: (call) => {
      if (!JSON.stringify(call.body).includes('"gateway"') || seen.has('gateway')) return undefined;
      seen.add('gateway');
      return { status: 400, error: { message: 'Upstream timeout after 30s', type: 'invalid_request_error' } };
    },
  });
}

describe('emulated({ classifyError })', () => {
  it('extends the built-in classifier: a 400 the gateway sends for a timeout is retried and the item succeeds', async () => {
    server = await gatewayServer();
    const seen: ErrorClassification[] = [];
    const provider = emulated({
      call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }),
      retry: fixedDelay({ maxRetries: 2, delayMs: 1 }),
      classifyError: (_error, builtIn) => {
        seen.push(builtIn);
        return builtIn.statusCode === 400 && /upstream timeout/i.test(builtIn.message) ? { ...builtIn, category: 'timeout', retryable: true } : undefined;
      },
    });
    const summary = await createBatchClient({ provider, store: memoryStore() }).run([request('a', 'gateway'), request('b', 'fine')]);
    expect(summary.counts).toMatchObject({ succeeded: 2, failed: 0 });
    expect(summary.results[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    // Called with the built-in verdict: a 400 is an invalid request, not retried.
    expect(seen).toEqual([expect.objectContaining({ category: 'invalid_request', retryable: false, statusCode: 400 })]);
  });

  it('without it the same 400 fails the item at once', async () => {
    server = await gatewayServer();
    const provider = emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), retry: fixedDelay({ maxRetries: 2, delayMs: 1 }) });
    const summary = await createBatchClient({ provider, store: memoryStore() }).run([request('a', 'gateway')]);
    expect(summary.results[0]).toMatchObject({ status: 'failed', attempts: 1, error: { category: 'invalid_request', retryable: false } });
  });

  it('replaces it: a category in abortOn stops the run, and a bad return value or a throw keeps the built-in verdict', async () => {
    server = await createMockProviderServer({ faults: { rates: { '503': 1 }, retryAfterMs: 1 } });
    const call = openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
    const stopped = await createBatchClient({
      provider: emulated({ call, concurrency: 1, retry: fixedDelay({ maxRetries: 3, delayMs: 1 }), classifyError: () => ({ category: 'auth', retryable: false, message: 'key sk-proj-abcdefghijklmnopqrstuvwx revoked' }) }),
      store: memoryStore(),
    }).run([request('a', 'one'), request('b', 'two')]);
    expect(stopped.status).toBe('failed');
    expect(stopped.results[0]).toMatchObject({ status: 'failed', attempts: 1, error: { category: 'auth' } });
    // The classifier's message is redacted like the built-in one.
    expect(JSON.stringify(stopped.results[0])).not.toContain('abcdefghijklmnopqrstuvwx');
    for (const classifyError of [() => ({ category: 'no such category' }) as never, () => { throw new Error('oops'); }]) {
      const summary = await createBatchClient({
        provider: emulated({ call, retry: fixedDelay({ maxRetries: 1, delayMs: 1 }), classifyError }),
        store: memoryStore(),
      }).run([request('c', 'three')]);
      expect(summary.results[0]).toMatchObject({ status: 'failed', attempts: 2, error: { category: 'server', retryable: true } });
    }
  });

  it('must be a function', () => {
    expect(() => emulated({ call: openaiChat({ apiKey: 'k' }), classifyError: 'timeout' as never })).toThrow(/classifyError.*function/s);
  });
});
