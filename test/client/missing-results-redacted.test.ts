import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchProvider } from '../../src/provider/batch-provider.js';
import { memoryStore } from '../../src/store/memory-store.js';

const request = (id: string): BatchRequest => ({ id, model: 'm', messages: [{ role: 'user', content: 'hello' }] });

/** A native provider whose batches fail with the given error and return no result lines. */
function failingProvider(error: string): BatchProvider {
  return {
    name: 'failing',
    mode: 'native',
    limits: { maxRequests: 1_000, maxBytes: 1e7, oneModelPerPart: false },
    async submit(part) {
      for await (const item of part.requests()) void item;
      return { id: 'b0' };
    },
    async poll() {
      return { status: 'failed', rawStatus: 'failed', error };
    },
    async *results() {},
    async cancel() {},
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('results made up for requests without a result line', () => {
  it('carry the part error with every key masked, each of the many results', async () => {
    const value = `plain.${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    vi.stubEnv('SOME_VENDOR_API_KEY', value);
    const shaped = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const client = createBatchClient({ provider: failingProvider(`key ${value} refused; also ${shaped}`), store: memoryStore(), pollIntervalMs: 1 });
    const ids = Array.from({ length: 50 }, (_, index) => `r${index}`);
    const job = await client.run(ids.map(request));
    expect(job.counts.failed).toBe(50);
    const errors = await client.errors(job.jobId);
    expect(errors.map((result) => result.id).sort()).toEqual([...ids].sort());
    for (const result of errors) {
      const message = result.status === 'succeeded' ? '' : (result.error?.message ?? '');
      expect(message).toContain('[REDACTED]');
      expect(message).not.toContain(value);
      expect(message).not.toContain(shaped);
    }
  });
});
