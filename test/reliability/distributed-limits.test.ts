import { describe, expect, it } from 'vitest';
import { estimateRequestTokens } from '../../src/adapters/emulated/estimate-request-tokens.js';
import { createBatchClient } from '../../src/index.js';
import { openaiChat } from '../../src/openai.js';
import { createBatchWorker, distributed, redisStore, type BatchWorkerOptions } from '../../src/redis.js';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { useRedisServer } from '../support/use-redis-server.js';

// Cluster-wide rate limits of distributed() workers: three workers in this process, each with its
// own connection, against the emulator. A limit the cluster shares spaces the calls of all three
// workers together; were it per worker, the calls would come three times as fast. (These take
// seconds of pacing, so they live here, not in npm test; the budget: test/redis/distributed-budget.test.ts.)

const { redis, closers } = await useRedisServer();
let emulator: MockProviderServer | undefined;

const requests = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user' as const, content: `${prefix} prompt ${String(index).padStart(3, '0')}` }] }));

async function runOnThreeWorkers(queue: string, count: number, emulatorOptions: MockProviderServerOptions, workerOptions: Partial<BatchWorkerOptions>) {
  emulator = await createMockProviderServer({ seed: 11, journalLimit: 100_000, latency: { 'chat.completions': 10, default: 0 }, ...emulatorOptions });
  closers.push(emulator);
  for (let index = 0; index < 3; index++) {
    closers.push(await createBatchWorker({ connection: redis.url, queue, call: openaiChat({ apiKey: 'sk-distributed-test-key', baseURL: `${emulator.url}/v1` }), concurrency: 8, ...workerOptions }));
  }
  const provider = distributed({ connection: redis.url, queue, chunkSize: 4, pollIntervalMs: 100 });
  const store = redisStore({ url: redis.url, prefix: `test-${queue}` });
  closers.push(provider, store);
  const client = createBatchClient({ provider, store, pollIntervalMs: 100, maxPollIntervalMs: 200 });
  const outcome = await client.run(requests(count, queue));
  const calls = emulator.journal.filter((entry) => entry.endpoint === 'chat.completions').sort((a, b) => a.startedAt - b.startedAt);
  return { outcome, calls, spanMs: calls.at(-1)!.startedAt - calls[0]!.startedAt };
}

describe('distributed() cluster-wide rate limits', () => {
  it('tokensPerMinute is one token schedule for the cluster: three workers together hold it', async () => {
    const all = requests(30, 'tpm');
    const tokensPerCall = estimateRequestTokens(all[0]!, 8);
    // 100 ms of the schedule per call: 30 calls take about 2.9 s however many workers share them
    // (about 1 s if each of the three workers kept its own schedule).
    const tokensPerMinute = tokensPerCall * 600;
    const { outcome, calls, spanMs } = await runOnThreeWorkers('tpm', 30, {}, { tokensPerMinute });
    expect(outcome.counts.succeeded).toBe(30);
    expect(calls).toHaveLength(30);
    const allowedTokens = (spanMs / 60_000) * tokensPerMinute + tokensPerCall;
    const detail = `${calls.length} calls of ~${tokensPerCall} tokens in ${spanMs} ms under ${tokensPerMinute} TPM`;
    expect(calls.length * tokensPerCall, detail).toBeLessThanOrEqual(allowedTokens * 1.05);
    expect(spanMs, detail).toBeGreaterThanOrEqual(29 * 100 * 0.95);
  });

  it('a requests limit learned from one response\'s headers paces every worker of the cluster', async () => {
    // The emulator allows 600 requests a minute and says so in x-ratelimit-* headers; the workers are
    // given no limit. Its bucket starts full (a minute's burst), so nothing but the learned, shared
    // pace spreads the calls: 100 ms apart across the cluster once the first answer came back.
    const { outcome, calls, spanMs } = await runOnThreeWorkers('learned', 40, { rateLimit: { requestsPerMinute: 600 } }, {});
    expect(outcome.counts.succeeded).toBe(40);
    // Before its first answer (or its first look at Redis after another worker learned the limit),
    // a worker sends unpaced: at most its 8 calls at once, 24 for the three. Every later call takes
    // its slot in the one schedule. Were the learned limit kept per worker, three schedules of
    // 100 ms would let calls through every ~33 ms.
    const detail = `calls at ${calls.map((call) => call.startedAt - calls[0]!.startedAt).join(' ')} ms`;
    expect(spanMs, detail).toBeGreaterThanOrEqual((40 - 24 - 1) * 100 * 0.9);
    const lastTen = calls.slice(-10);
    expect(lastTen.at(-1)!.startedAt - lastTen[0]!.startedAt, detail).toBeGreaterThanOrEqual(9 * 100 * 0.9);
    expect(calls.filter((call) => call.status === 429)).toHaveLength(0);
  });
});
