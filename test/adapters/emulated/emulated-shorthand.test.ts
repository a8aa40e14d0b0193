import { describe, expect, it } from 'vitest';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import { makeRequests } from './helpers.js';

describe('emulated shorthand', () => {
  it('runs a job with { provider: "mock", mode: "emulated", concurrency } through the emulated adapter', async () => {
    const client = createBatchClient({ provider: 'mock', mode: 'emulated', concurrency: 32, store: memoryStore() });
    try {
      const summary = await client.run(makeRequests(40));
      expect(summary.status).toBe('completed');
      expect(summary.counts).toMatchObject({ total: 40, succeeded: 40 });
      const job = await client.status(summary.jobId);
      expect(job.mode).toBe('emulated');
    } finally {
      await (client as { close?: () => Promise<void> }).close?.();
    }
  });
});
