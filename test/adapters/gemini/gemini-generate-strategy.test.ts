import { describe, expect, it } from 'vitest';
import { emulated } from '../../../src/adapters/emulated/index.js';
import { geminiGenerate } from '../../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import type { MockProviderServerOptions } from '../../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../../support/emulator.js';

const emulators = emulatorPerTest();

async function runOn(options: MockProviderServerOptions, count: number) {
  const server = await emulators.start({ latency: 1, seed: 7, ...options });
  const client = createBatchClient({ provider: emulated({ call: geminiGenerate({ apiKey: 'test-gemini-key', baseURL: server.url }), concurrency: 4 }), store: memoryStore() });
  const requests: BatchRequest[] = Array.from({ length: count }, (_, index) => ({ id: `g-${index}`, model: 'gemini-2.5-flash', messages: [{ role: 'user', content: `Say ${index}` }], maxTokens: 16 }));
  const summary = await client.run(requests);
  const calls = server.journal.filter((entry) => entry.endpoint === 'gemini.generateContent');
  return { summary, calls };
}

describe('emulated(geminiGenerate()) against the emulator', () => {
  it('waits out per-minute 429 RESOURCE_EXHAUSTED answers (RetryInfo) and retries them: every item succeeds', async () => {
    const { summary, calls } = await runOn({ faults: { rates: { '429': 0.3 }, endpoints: ['gemini.generateContent'] } }, 6);
    expect(summary.counts).toMatchObject({ total: 6, succeeded: 6 });
    expect(calls.filter((entry) => entry.status === 429).length).toBeGreaterThan(0);
    expect(calls.length).toBeGreaterThan(6);
  });

  it('stops at a per-day quota: insufficient_quota, never retried', async () => {
    const { summary, calls } = await runOn({ faults: { rates: { insufficient_quota: 1 }, endpoints: ['gemini.generateContent'] } }, 3);
    expect(summary.counts.succeeded).toBe(0);
    const failed = summary.results.filter((result) => result.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((result) => result.error.category)).toEqual(Array(failed.length).fill('insufficient_quota'));
    // At most one call per item: a quota that resets tomorrow is not retried (the run stops the rest).
    expect(calls.length).toBeLessThanOrEqual(3);
  });

  it('reports text, usage and the model Gemini answered with', async () => {
    const { summary } = await runOn({ respond: () => ({ text: 'ok', usage: { inputTokens: 11, outputTokens: 2, reasoningTokens: 5 } }) }, 2);
    expect(summary.results[0]).toMatchObject({ status: 'succeeded', text: 'ok', finishReason: 'stop', model: 'gemini-2.5-flash' });
    expect(summary.usage).toMatchObject({ inputTokens: 22, reasoningTokens: 10 });
  });
});
