import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import { createMockProviderServer } from '../../../src/testing/mock-server/index.js';
import type { MockProviderServer } from '../../../src/testing/mock-server/options.js';
import { makeRequests } from './helpers.js';

describe('emulated shorthand', () => {
  let server: MockProviderServer;
  beforeAll(async () => {
    server = await createMockProviderServer({});
  });
  afterAll(async () => {
    await server.close();
  });

  it('runs a job with { provider: "openai", mode: "emulated", concurrency } through the emulated adapter', async () => {
    const client = createBatchClient({
      provider: 'openai',
      mode: 'emulated',
      concurrency: 32,
      apiKey: 'test-key',
      baseURL: `${server.url}/v1`,
      store: memoryStore(),
    });
    try {
      const summary = await client.run(makeRequests(40));
      expect(summary.status).toBe('completed');
      expect(summary.counts).toMatchObject({ total: 40, succeeded: 40 });
      const job = await client.status(summary.jobId);
      expect(job.mode).toBe('emulated');
      expect(server.journal.filter((entry) => entry.path === '/v1/chat/completions')).toHaveLength(40);
    } finally {
      await client.close();
    }
  });
});
