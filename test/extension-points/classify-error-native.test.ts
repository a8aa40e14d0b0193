import { afterEach, describe, expect, it } from 'vitest';
import { createBatchClient, fixedDelay, memoryStore, type BatchRequest, type ErrorClassification } from 'llm-batch';
import { anthropicBatch } from 'llm-batch/anthropic';
import { openaiBatch } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request = (id: string, prompt: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user', content: prompt }] });

describe('openaiBatch({ classifyError }) for control-plane calls', () => {
  it('must be a function, for anthropicBatch() too', () => {
    expect(() => openaiBatch({ apiKey: 'k', classifyError: 1 as never })).toThrow(/classifyError.*function/s);
    expect(() => anthropicBatch({ apiKey: 'k', classifyError: {} as never })).toThrow(/classifyError.*function/s);
  });

  it('decides whether a failed poll is retried', async () => {
    server = await createMockProviderServer({ faults: { rates: { '503': 1 }, endpoints: ['batches.retrieve'], retryAfterMs: 1 } });
    const retrieves = (): number => server!.stats().byEndpoint['batches.retrieve'] ?? 0;
    const open = (classifyError?: (error: unknown, builtIn: ErrorClassification) => ErrorClassification | undefined) =>
      createBatchClient({
        provider: openaiBatch({ apiKey: 'test-key', baseURL: `${server!.url}/v1`, ...(classifyError ? { classifyError } : {}) }),
        store: memoryStore(),
        retry: fixedDelay({ maxRetries: 2, delayMs: 1 }),
      });
    const builtIn = open();
    const job = await builtIn.submit([request('a', 'one')]);
    await expect(builtIn.status(job.id)).rejects.toThrow();
    expect(retrieves()).toBe(3);
    const custom = open((_error, verdict) => (verdict.statusCode === 503 ? { ...verdict, retryable: false } : undefined));
    const other = await custom.submit([request('b', 'two')]);
    await expect(custom.status(other.id)).rejects.toThrow();
    expect(retrieves()).toBe(4);
  });
});
