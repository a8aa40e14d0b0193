import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, JobFailedError, LlmBatchError, memoryStore, noRetry, type BatchRequest } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';

let server: MockProviderServer;

beforeAll(async () => {
  // The prompt "bad" is refused with a 400 (not retryable); everything else is answered.
  server = await createMockProviderServer({
    respond: (request) => (JSON.stringify(request.body).includes('"bad"') ? { status: 400, error: { message: 'Invalid value for temperature' } } : undefined),
  });
});
afterAll(() => server.close());

const requests = (prompts: string[]): BatchRequest[] =>
  prompts.map((prompt, index) => ({ id: `item_${index}`, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user', content: prompt }] }));

function client() {
  const call = openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
  return createBatchClient({ provider: emulated({ call, concurrency: 1, errorStrategy: 'fail-fast', retry: noRetry() }), store: memoryStore() });
}

describe('run({ throwOnFailure })', () => {
  it('rejects with a JobFailedError carrying the partial aggregate when the job ends failed', async () => {
    const error = await client()
      .run(requests(['one', 'two', 'bad', 'four']), { throwOnFailure: true })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(LlmBatchError.isInstance(error) && error.code).toBe('job_failed');
    const failed = error as JobFailedError;
    expect(failed.aggregate.status).toBe('failed');
    expect(failed.jobId).toBe(failed.aggregate.jobId);
    // Concurrency 1: the two before "bad" succeeded, "bad" failed, the one after never ran.
    expect(failed.aggregate.counts).toMatchObject({ total: 4, succeeded: 2, failed: 1, cancelled: 1 });
    expect(failed.aggregate.results.map((result) => result.status)).toEqual(['succeeded', 'succeeded', 'failed', 'cancelled']);
    expect(failed.message).toContain('fail-fast');
    expect(failed.message).toContain('2 succeeded, 1 failed, 1 cancelled');
  });

  it('returns the failed aggregate without it, and resolves with it when the job did not fail', async () => {
    const summary = await client().run(requests(['one', 'bad']));
    expect(summary.status).toBe('failed');
    const fine = await client().run(requests(['one', 'two']), { throwOnFailure: true });
    expect(fine.status).toBe('completed');
  });

  it('is a closed, checked option of run()', async () => {
    await expect(client().run(requests(['one']), { throwOnFailur: true } as never)).rejects.toThrow(/throwOnFailure/);
  });
});

describe('run({ throwOnFailure }) checks', () => {
  it('refuses a value that is not a boolean before anything is sent', async () => {
    await expect(client().run(requests(['one']), { throwOnFailure: 'yes' } as never)).rejects.toThrow(/throwOnFailure.*boolean/s);
  });
});
