import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { computeCost } from '../../src/cost/compute-cost.js';
import { approximateRequestTokens } from '../../src/cost/count-tokens.js';
import { createBatchClient } from '../../src/index.js';
import { openaiChat } from '../../src/openai.js';
import { createBatchWorker, distributed, redisStore } from '../../src/redis.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { learnLimitsScript, runScript } from '../../src/distributed/distributed-lua.js';
import { useRedisServer } from '../support/use-redis-server.js';

// Cluster-wide limits of distributed() workers that run fast enough for npm test: a job's budget
// reserved in Redis by three workers at once, and what one worker's rate-limit headers tell every
// other. (The shared token and learned request schedules, which take seconds of pacing:
// test/reliability/distributed-limits.test.ts.)

const { redis, closers } = await useRedisServer();
let emulator: MockProviderServer | undefined;

const model = 'gpt-5.4-mini';
const requests = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model, maxTokens: 200, messages: [{ role: 'user' as const, content: `${prefix} prompt ${index}` }] }));

describe('distributed({ maxCostUsd }): one budget for every worker', () => {
  it('three workers together never spend more than the budget: calls are reserved in Redis at their worst case and settled to their real cost', async () => {
    emulator = await createMockProviderServer({ seed: 3, journalLimit: 100_000, latency: { 'chat.completions': 10, default: 0 } });
    closers.push(emulator);
    const all = requests(60, 'budget');
    const worstCase = computeCost({ inputTokens: approximateRequestTokens(all[0]!), outputTokens: 200, totalTokens: approximateRequestTokens(all[0]!) + 200 }, { model, mode: 'emulated' })!;
    // Five worst-case calls (an answer costs about a tenth of its worst case here): 24 calls at once
    // in the cluster would pass it many times over if each worker booked against its own copy.
    const maxCostUsd = worstCase * 5;
    for (let index = 0; index < 3; index++) {
      closers.push(await createBatchWorker({ connection: redis.url, queue: 'budget', call: openaiChat({ apiKey: 'sk-distributed-test-key', baseURL: `${emulator.url}/v1` }), concurrency: 8 }));
    }
    const provider = distributed({ connection: redis.url, queue: 'budget', chunkSize: 10, pollIntervalMs: 50, maxCostUsd });
    const store = redisStore({ url: redis.url, prefix: 'test-budget' });
    closers.push(provider, store);
    const client = createBatchClient({ provider, store, pollIntervalMs: 50, maxPollIntervalMs: 100 });
    const outcome = await client.run(all);

    const succeeded = outcome.results.filter((result) => result.status === 'succeeded');
    const spent = succeeded.reduce((sum, result) => sum + (computeCost(result.usage!, { model, mode: 'emulated' }) ?? 0), 0);
    const paidCalls = emulator.journal.filter((entry) => entry.endpoint === 'chat.completions' && entry.status === 200).length;
    const probe = new Redis(redis.url);
    const budget = await probe.hgetall(`llm-batch:distributed:budget:budget:{${outcome.jobId}}`);
    probe.disconnect();
    const detail = `spent $${spent} of $${maxCostUsd} (worst case per call $${worstCase}), ${succeeded.length} succeeded, ${paidCalls} calls paid, Redis ${JSON.stringify(budget)}`;
    expect(spent, detail).toBeLessThanOrEqual(maxCostUsd + 1e-9);
    expect(paidCalls, detail).toBe(succeeded.length);
    // The real cost is below the worst case, so settling lets more than 5 items in.
    expect(succeeded.length, detail).toBeGreaterThan(5);
    expect(succeeded.length, detail).toBeLessThan(60);
    const refused = outcome.results.filter((result) => result.status === 'cancelled');
    expect(refused.length + succeeded.length, detail).toBe(60);
    expect(refused.every((result) => result.error?.category === 'budget'), detail).toBe(true);
    expect(Number(budget.spent), detail).toBeCloseTo(spent, 9);
    expect(Number(budget.reserved), detail).toBeLessThan(1e-9);
    expect(budget.exhausted, detail).toBe('1');
  });

  it('names a bad maxCostUsd, tokensPerMinute and pricing before anything connects', async () => {
    expect(() => distributed({ connection: redis.url, queue: 'q', maxCostUsd: -1 })).toThrow(/maxCostUsd/);
    await expect(createBatchWorker({ connection: redis.url, queue: 'q', call: openaiChat({ apiKey: 'sk-x' }), tokensPerMinute: 0 })).rejects.toThrow(/tokensPerMinute/);
    await expect(createBatchWorker({ connection: redis.url, queue: 'q', call: openaiChat({ apiKey: 'sk-x' }), pricing: 'cheap' as never })).rejects.toThrow(/pricing/);
  });
});

describe('limits learned from headers, shared through Redis', () => {
  it('a limit one worker reads paces the shared schedule; a window with nothing left holds every worker until one call has refilled', async () => {
    const probe = new Redis(redis.url);
    closers.push({ close: async () => void probe.disconnect() });
    const keys = ['learn:gate:learned', 'learn:gate:cooldown'];
    // 600 requests a minute, 100 left: pace only (100 ms a request), no cooldown.
    expect(Number(await runScript(probe, learnLimitsScript, keys, ['600', '100', '50000', '', '', '', '20']))).toBe(0);
    expect(Number(await probe.hget(keys[0]!, 'interval'))).toBe(100);
    // Nothing left, full again in 6 s: everyone waits the time one request takes to refill (10 ms).
    const [seconds, micros] = await probe.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const until = Number(await runScript(probe, learnLimitsScript, keys, ['600', '0', '6000', '', '', '', '20']));
    expect(until - now).toBeGreaterThanOrEqual(9);
    expect(until - now).toBeLessThan(100);
    expect(Number(await probe.get(keys[1]!))).toBe(until);
    // 60,000 tokens a minute with 500 left and a call of 2,000 tokens: wait for 1,500 to refill (of 59,500 in 60 s).
    const tokenUntil = Number(await runScript(probe, learnLimitsScript, keys, ['', '', '', '60000', '500', '60000', '2000']));
    expect(Number(await probe.hget(keys[0]!, 'msPerToken'))).toBe(1);
    expect(tokenUntil - now).toBeGreaterThan(1_400);
    expect(tokenUntil - now).toBeLessThan(1_700);
  });
});
