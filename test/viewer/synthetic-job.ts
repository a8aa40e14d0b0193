import type { JobManifest } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchStore } from '../../src/store/batch-store.js';

/**
 * Writes a finished job of `count` results straight into `store` (no provider: for sizes the
 * emulator would take minutes to answer). Every 100th item failed with a rate limit.
 */
export async function writeSyntheticJob(store: BatchStore, jobId: string, count: number): Promise<void> {
  const failed = Math.floor(count / 100);
  const now = new Date().toISOString();
  const counts = { total: count, succeeded: count - failed, failed, cancelled: 0, expired: 0, pending: 0 };
  const job: JobManifest = {
    id: jobId,
    provider: 'openai',
    mode: 'native',
    status: 'completed',
    counts,
    createdAt: now,
    updatedAt: now,
    endedAt: now,
    parts: [{ id: `${jobId}_part_0`, index: 0, providerBatchId: 'batch_synthetic', status: 'completed', rawStatus: 'completed', requestCount: count, submitState: 'submitted', resultsStored: true, counts }],
    metadata: { source: 'synthetic' },
    warnings: [],
  };
  const writer = await store.createRequestWriter(jobId, 0);
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const results: BatchResult[] = [];
    for (let index = start; index < Math.min(count, start + chunk); index++) {
      await writer.write({ index, request: { id: `item_${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `Question number ${index}?` }] } });
      results.push(
        index % 100 === 99
          ? { id: `item_${index}`, status: 'failed', error: { category: 'rate_limit', message: `429 for item ${index}`, retryable: true }, attempts: 3 }
          : { id: `item_${index}`, status: 'succeeded', text: `Answer number ${index}.`, finishReason: 'stop', model: 'gpt-5.4-mini', usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13 }, latencyMs: 100 + (index % 700) },
      );
    }
    await store.appendResults(jobId, results);
  }
  await writer.close();
  await store.saveJob(job);
}
