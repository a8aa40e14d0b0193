import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeBatchBackend, fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { fileStore } from '../../src/store/file-store.js';

describe('a custom pricing table', () => {
  it('travels with the job, so another process prices its results the same way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-batch-pricing-'));
    const backend = createFakeBatchBackend();
    const pricing = { models: { 'house-model': { input: 1_000_000, output: 1_000_000 } } };
    const first = createBatchClient({ provider: fakeBatchProvider({ backend }), store: fileStore({ dir }), pollIntervalMs: 1 });
    const summary = await first.run([{ id: 'a', messages: [{ role: 'user', content: 'hello world' }] }], { model: 'house-model', pricing });
    expect(summary.costUsd).toBeGreaterThan(0);

    const later = createBatchClient({ provider: fakeBatchProvider({ backend }), store: fileStore({ dir }) });
    const again = await later.aggregate(summary.jobId);
    expect(again.costUsd).toBe(summary.costUsd);
  });
});
