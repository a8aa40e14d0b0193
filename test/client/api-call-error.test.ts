import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, classifyError, createBatchClient, memoryStore, noRetry, type BatchRequest } from 'llm-batch';
import { openaiBatch } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';

// docs/errors-and-retries.md#apicallerror: the client throws an ApiCallError when a provider call
// fails for the whole job, and only then; it never carries the SDK's error, which may hold the key.
const validKey = 'sk-the-only-valid-key-0000000000';
const wrongKey = 'sk-a-wrong-key-that-must-not-leak-1234';
const requests: BatchRequest[] = [{ id: 'q1', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'Name a colour.' }] }];

let server: MockProviderServer;
let failingPolls: MockProviderServer;

beforeAll(async () => {
  server = await createMockProviderServer({ apiKeys: [validKey] });
  failingPolls = await createMockProviderServer({ faults: { rate: 1, kinds: ['503'], endpoints: ['batches.retrieve'] } });
});
afterAll(async () => {
  await server.close();
  await failingPolls.close();
});

describe('ApiCallError', () => {
  it('is thrown when the provider refuses to create a batch, and the part is stored as failed', async () => {
    const client = createBatchClient({ provider: openaiBatch({ apiKey: wrongKey, baseURL: `${server.url}/v1` }), store: memoryStore() });
    const error = await client.submit(requests, { exactTokens: false }).catch((caught: unknown) => caught);

    expect(ApiCallError.isInstance(error)).toBe(true);
    const failure = error as ApiCallError;
    expect(failure).toMatchObject({ code: 'api_call_error', provider: 'openai', category: 'auth', retryable: false, statusCode: 401 });
    expect(failure.message).toMatch(/^Job (job_\w+): submitting part \1_p0 failed: Incorrect API key provided/);
    expect(failure.cause).toBeUndefined();
    expect(JSON.stringify({ message: failure.message, stack: failure.stack })).not.toContain(wrongKey);
    const [job] = await client.list();
    expect(job?.parts[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('resume the job') });
    await client.close();
  });

  it('is thrown when polling fails once the retry strategy has given up', async () => {
    const client = createBatchClient({
      provider: openaiBatch({ apiKey: validKey, baseURL: `${failingPolls.url}/v1` }),
      store: memoryStore(),
      retry: noRetry(),
    });
    const job = await client.submit(requests, { exactTokens: false });
    const error = await client.status(job.id).catch((caught: unknown) => caught);

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ provider: 'openai', category: 'server', retryable: true, statusCode: 503 });
    expect((error as ApiCallError).message).toMatch(/^The openai provider call failed: The engine is currently overloaded/);
    expect(classifyError(error)).toMatchObject({ category: 'server', retryable: true, statusCode: 503 });
    await client.close();
  });
});
