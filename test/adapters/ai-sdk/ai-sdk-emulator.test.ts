import { createOpenAI } from '@ai-sdk/openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, exponentialBackoff, memoryStore, type BatchRequest } from 'llm-batch';
import { aiSdk } from 'llm-batch/ai-sdk';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const requests = (count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `item_${index}`, maxTokens: 16, messages: [{ role: 'user' as const, content: `ai sdk prompt ${index}` }] }));

/** The journal's generation calls per item: each body carries its item's prompt once. */
function callsPerItem(server: MockProviderServer, count: number): number[] {
  const calls = new Array<number>(count).fill(0);
  for (const entry of server.journal) {
    if (entry.endpoint !== 'responses' && entry.endpoint !== 'chat.completions') continue;
    const match = /ai sdk prompt (\d+)\b/.exec(JSON.stringify(entry.body));
    if (match) calls[Number(match[1])]! += 1;
  }
  return calls;
}

describe('aiSdk() through @ai-sdk/openai against the emulator', () => {
  it('answers a job through the Responses API (openai(model)) and the Chat Completions API (openai.chat(model))', async () => {
    server = await createMockProviderServer();
    const openai = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key' });
    for (const model of [openai('gpt-4o-mini'), openai.chat('gpt-4o-mini')]) {
      const client = createBatchClient({ provider: emulated({ call: aiSdk({ model }), concurrency: 4 }), store: memoryStore() });
      const summary = await client.run(requests(5), { model: 'gpt-4o-mini' });
      expect(summary.status).toBe('completed');
      expect(summary.counts.succeeded).toBe(5);
      const first = summary.results[0]!;
      expect(first.status === 'succeeded' && first.text.length).toBeGreaterThan(0);
      expect(first.status === 'succeeded' && first.usage.totalTokens).toBeGreaterThan(0);
      expect(first).toMatchObject({ finishReason: expect.stringMatching(/^(stop|length)$/), model: expect.stringContaining('gpt-4o-mini') });
    }
    expect(server.stats().byEndpoint).toMatchObject({ responses: 5, 'chat.completions': 5 });
  });

  it('with 5% 429s and 5% 503s every item succeeds, at most 1.2 calls per item, and the AI SDK never retried', async () => {
    const count = 100;
    server = await createMockProviderServer({ seed: 16, journalBodies: true, faults: { rates: { '429': 0.05, '503': 0.05 }, retryAfterMs: 20 } });
    const openai = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: 'test-key' });
    const client = createBatchClient({
      provider: emulated({ call: aiSdk({ model: openai('gpt-4o-mini') }), concurrency: 16, retry: exponentialBackoff({ maxRetries: 5, initialDelayMs: 5, maxDelayMs: 50 }) }),
      store: memoryStore(),
    });
    const summary = await client.run(requests(count), { model: 'gpt-4o-mini' });
    expect(summary.status).toBe('completed');
    expect(summary.counts.succeeded).toBe(count);
    const stats = server.stats();
    const faults = (stats.faults['429'] ?? 0) + (stats.faults['503'] ?? 0);
    expect(faults).toBeGreaterThan(5);
    const calls = callsPerItem(server, count);
    const total = calls.reduce((sum, value) => sum + value, 0);
    if (process.env['LLM_BATCH_PRINT'] === '1') console.log({ items: count, faults, calls: total, callsPerItem: total / count, elapsedMs: summary.elapsedMs });
    expect(total / count).toBeLessThanOrEqual(1.2);
    // Every call the emulator saw was one of ours: the journal holds exactly the attempts we counted
    // per item. An AI SDK retry would be a call more than the item's attempts.
    summary.results.forEach((result, index) => {
      expect(result.status === 'succeeded' && result.attempts).toBe(calls[index]);
    });
    expect(total).toBe(count + faults);
  });
});
