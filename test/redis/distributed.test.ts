import { describe, expect, it } from 'vitest';
import { createBatchClient } from '../../src/index.js';
import { openaiChat } from '../../src/openai.js';
import { createBatchWorker, distributed, redisStore, type BatchWorker } from '../../src/redis.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { useRedisServer } from '../support/use-redis-server.js';

// The BullMQ runner in one process: workers and the submitting client share a real redis-server
// and call the emulator through the OpenAI SDK. (Separate processes, a killed worker, and the shared
// 429 cooldown: test/reliability/distributed*.test.ts.)

const { redis, closers } = await useRedisServer();
let emulator: MockProviderServer | undefined;

const requests = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user' as const, content: `${prefix} prompt ${index}` }] }));

async function setup(queue: string, workers: number, latencyMs: number) {
  emulator = await createMockProviderServer({ seed: 7, journalLimit: 100_000, latency: { 'chat.completions': latencyMs, default: 0 } });
  closers.push(emulator);
  const call = () => openaiChat({ apiKey: 'sk-distributed-test-key', baseURL: `${emulator!.url}/v1` });
  const started: BatchWorker[] = [];
  for (let index = 0; index < workers; index++) {
    const worker = await createBatchWorker({ connection: redis.url, queue, call: call(), concurrency: 8 });
    closers.push(worker);
    started.push(worker);
  }
  const provider = distributed({ connection: redis.url, queue, chunkSize: 20, pollIntervalMs: 100 });
  const store = redisStore({ url: redis.url, prefix: `test-${queue}` });
  closers.push(provider, store);
  const client = createBatchClient({ provider, store, pollIntervalMs: 100, maxPollIntervalMs: 200 });
  return { client, workers: started, store };
}

describe('distributed() with createBatchWorker', () => {
  it('runs 80 items over two workers: every item succeeds, each called and journaled once, both workers share the work', async () => {
    const { client, workers } = await setup('two-workers', 2, 20);
    const outcome = await client.run(requests(80, 'dist'));
    expect(outcome.status).toBe('completed');
    expect(outcome.results).toHaveLength(80);
    expect(new Set(outcome.results.map((result) => result.id)).size).toBe(80);
    expect(outcome.results.every((result) => result.status === 'succeeded')).toBe(true);
    const paid = Object.entries(emulator!.stats().successfulCallsByKey).filter(([key]) => key.startsWith('dist prompt '));
    expect(paid).toHaveLength(80);
    expect(paid.every(([, calls]) => calls === 1)).toBe(true);
    expect(workers.map((worker) => worker.recorded).reduce((a, b) => a + b)).toBe(80);
    expect(Math.min(...workers.map((worker) => worker.recorded))).toBeGreaterThan(0);
  });

  it('cancel from the client stops every worker\'s share: the job ends cancelled and calls stop', async () => {
    const { client } = await setup('cancel', 2, 200);
    const job = await client.submit(requests(400, 'cancel'));
    await new Promise((resolve) => setTimeout(resolve, 800));
    const cancelled = await client.cancel(job.id);
    const ended = cancelled.status === 'cancelled' ? cancelled : await client.wait(job.id);
    expect(ended.status).toBe('cancelled');
    const callsAtEnd = emulator!.journal.filter((entry) => entry.endpoint === 'chat.completions').length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(emulator!.journal.filter((entry) => entry.endpoint === 'chat.completions').length).toBe(callsAtEnd);
    expect(callsAtEnd).toBeLessThan(200);
    const results = [];
    for await (const result of client.results(job.id)) results.push(result);
    expect(new Set(results.map((result) => result.id)).size).toBe(400);
    expect(results.some((result) => result.status === 'cancelled')).toBe(true);
  });

  it('names every bad option before anything connects', async () => {
    expect(() => distributed({ connection: 'redis://x', queue: 'bad queue', chunkSize: 0 })).toThrow(/queue/);
    await expect(createBatchWorker({ connection: 'redis://x', queue: 'q', call: {} as never })).rejects.toThrow(/call/);
  });
});
