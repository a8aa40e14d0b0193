import { describe, expect, it } from 'vitest';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockBatchProvider, type MockBatchProviderOptions } from '../../src/testing/mock-batch-provider.js';

function requests(count: number): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `item_${index}`,
    model: 'gpt-5.4-mini',
    maxTokens: 16,
    messages: [{ role: 'user' as const, content: `prompt ${index}` }],
  }));
}

describe('createMockBatchProvider', () => {
  it('runs a native job through the batch API of the emulator it started', async () => {
    const mock = await createMockBatchProvider({ server: { batch: { validatingMs: 10, processingMs: 50, finalizingMs: 10 } } });
    const client = createBatchClient({ provider: mock.provider, store: memoryStore() });
    try {
      const summary = await client.run(requests(3));
      expect(summary.counts).toMatchObject({ total: 3, succeeded: 3 });
      expect((await client.status(summary.jobId)).mode).toBe('native');
      expect(await mock.server.batches()).toHaveLength(1);
    } finally {
      await client.close();
      await mock.close();
    }
  });

  it('runs an emulated job through the chat endpoint, with emulated() options', async () => {
    const mock = await createMockBatchProvider({ mode: 'emulated', emulated: { concurrency: 4 } });
    const client = createBatchClient({ provider: mock.provider, store: memoryStore() });
    try {
      const summary = await client.run(requests(5));
      expect(summary.counts).toMatchObject({ total: 5, succeeded: 5 });
      expect(mock.server.journal.filter((entry) => entry.path === '/v1/chat/completions')).toHaveLength(5);
    } finally {
      await client.close();
      await mock.close();
    }
  });

  it('stops the emulator on close', async () => {
    const mock = await createMockBatchProvider();
    await mock.close();
    await expect(fetch(`${mock.server.url}/v1/batches`)).rejects.toThrow();
  });

  it.each<[string, MockBatchProviderOptions, RegExp]>([
    ['an unknown key', { mdoe: 'emulated' } as MockBatchProviderOptions, /unknown option 'mdoe' \(did you mean 'mode'\?\)/],
    ['emulated() options in native mode', { emulated: { concurrency: 4 } }, /option "emulated" must be left out unless mode is "emulated"/],
    ['a poll interval in emulated mode', { mode: 'emulated', pollIntervalMs: 50 }, /option "pollIntervalMs" must be left out when mode is "emulated"/],
  ])('refuses %s before starting anything', async (_case, options, message) => {
    const failure = createMockBatchProvider(options);
    await expect(failure).rejects.toThrow(ValidationError);
    await expect(failure).rejects.toThrow(message);
  });

  it('is what the old "mock" shorthand points to', () => {
    expect(() => createBatchClient({ provider: 'mock' as 'openai', store: memoryStore() })).toThrow(/option "provider" must be .*createMockBatchProvider\(\) of llm-batch\/testing.*got "mock"/);
  });
});
