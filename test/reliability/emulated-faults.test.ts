import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated, metricsObserver } from '../../src/adapters/emulated/index.js';
import { openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { exponentialBackoff } from '../../src/retry/exponential-backoff.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { makeRequests } from '../adapters/emulated/helpers.js';

const total = 10_000;
/** Every 100th prompt is answered 400: a permanent failure that must be classified, not retried. */
const isPermanent = (index: number): boolean => index % 100 === 7;
let server: MockProviderServer;

beforeAll(async () => {
  server = await createMockProviderServer({
    seed: 7,
    // 10% 500/503/529, 5% 429 with retry-after, 2% connection resets, 1% hangs.
    faults: { rates: { '500': 0.034, '503': 0.033, '529': 0.033, '429': 0.05, reset: 0.02, hang: 0.01 }, retryAfterMs: 20 },
    respond: (request) => {
      const prompt = String((request.body.messages as { content: unknown }[]).at(-1)?.content);
      const index = Number(prompt.split(' ').at(-1));
      return isPermanent(index) ? { status: 400, error: { message: 'Invalid request' } } : undefined;
    },
  });
});
afterAll(async () => {
  await server.close();
});

describe('10,000 requests against an emulator with faults', () => {
  it('ends with every item terminal exactly once, transient failures recovered and permanent ones classified', async () => {
    const metrics = metricsObserver();
    const client = createBatchClient({
      provider: emulated({
        call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }),
        concurrency: 32,
        timeoutMs: 500,
        retry: exponentialBackoff({ maxRetries: 8, initialDelayMs: 50, maxDelayMs: 1_000 }),
        observers: [metrics],
      }),
      store: memoryStore(),
    });
    const summary = await client.run(makeRequests(total));

    expect(summary.status).toBe('completed');
    expect(summary.results).toHaveLength(total);
    const ids = new Set(summary.results.map((result) => result.id));
    expect(ids.size).toBe(total);

    const permanent = summary.results.filter((result) => isPermanent(Number(result.id.split('_')[1])));
    const transient = summary.results.filter((result) => !isPermanent(Number(result.id.split('_')[1])));
    // Transient faults may come first; the 400 itself is never retried.
    expect(permanent.every((result) => result.status === 'failed' && result.error.category === 'invalid_request' && !result.error.retryable)).toBe(true);
    const unrecovered = transient.filter((result): result is Extract<BatchResult, { status: 'failed' }> => result.status !== 'succeeded');
    expect(unrecovered).toEqual([]);
    expect(summary.counts).toMatchObject({ total, succeeded: transient.length, failed: permanent.length, pending: 0 });

    // Faults really happened, and were retried.
    const stats = server.stats();
    expect(stats.faults['429']).toBeGreaterThan(300);
    expect(stats.faults.reset).toBeGreaterThan(100);
    expect(stats.faults.hang).toBeGreaterThan(50);
    const snapshot = metrics.toJSON();
    expect(snapshot.retriesByCategory.timeout).toBeGreaterThan(50);
    expect(snapshot.retriesByCategory.network).toBeGreaterThan(100);
    // A succeeded item is paid twice only when the server answered after our timeout had fired.
    expect(stats.successfulCalls.openai - transient.length).toBeLessThanOrEqual(snapshot.retriesByCategory.timeout ?? 0);
  }, 300_000);
});
